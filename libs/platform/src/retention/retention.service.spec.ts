import { baseConfigSchema, loadConfig } from '../config';
import { MetricsService } from '../metrics/metrics.service';
import { RetentionService } from './retention.service';

const config = (env: Record<string, string>) => loadConfig(baseConfigSchema, env);

describe('RetentionService', () => {
  it('runs on its schedule, purging in batches until a batch comes back short, and skips policies kept forever', async () => {
    const service = new RetentionService(config({ RETENTION_SCHEDULE: '* * * * * *', RETENTION_BATCH_SIZE: '10' }), new MetricsService('test'));
    const cutoffs: Date[] = [];
    let left = 25;
    service.register({
      name: 'rows',
      description: 'test rows',
      days: 7,
      purgeBatch: async (cutoff, limit) => {
        cutoffs.push(cutoff);
        const n = Math.min(limit, left);
        left -= n;
        return n;
      },
    });
    service.register({ name: 'forever', description: 'kept', days: 0, purgeBatch: () => Promise.reject(new Error('must not run')) });
    service.onApplicationBootstrap();
    try {
      const deadline = Date.now() + 20_000;
      while (!service.state()[0].last_run_at && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const [rows, forever] = service.state();
      expect(rows).toMatchObject({ name: 'rows', last_purged: 25, next_run_at: expect.any(String) });
      expect(forever.last_run_at).toBeNull();
      expect(cutoffs.slice(0, 3).map((c) => Math.round((Date.now() - c.getTime()) / 86_400_000))).toEqual([7, 7, 7]);
    } finally {
      service.onModuleDestroy();
    }
  });

  it('refuses a schedule that is not a cron pattern at boot', () => {
    expect(() => config({ RETENTION_SCHEDULE: 'hourly' })).toThrow(/RETENTION_SCHEDULE/);
  });
});
