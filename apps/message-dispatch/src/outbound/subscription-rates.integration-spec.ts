import { runMigrationsLocked } from '@zapgate/platform';
import { createTestDatabase, type TestDatabase } from '@zapgate/testing';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { DispatchMetrics } from '../metrics/dispatch-metrics';
import { dispatchMigrations } from '../migrations';
import { SubscriptionRates } from './subscription-rates';
import { SubscriptionThrottle } from './subscription-throttle';

/** A subscription's rate_limit_per_second held across dispatch replicas (throttles sharing dispatch.rate_window). */
describe('SubscriptionRates (real PostgreSQL)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  const fallbacks: string[] = [];
  const metrics = { rateFallbacks: { inc: ({ reason }: { reason: string }) => fallbacks.push(reason) } } as unknown as DispatchMetrics;

  beforeAll(async () => {
    db = await createTestDatabase('subrates');
    dataSource = await new DataSource({
      type: 'postgres',
      url: db.url,
      schema: 'dispatch',
      migrations: dispatchMigrations,
      migrationsTableName: 'migrations',
    }).initialize();
    await runMigrationsLocked(dataSource, 'dispatch');
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it('sends an endpoint its rate, not its rate per replica', async () => {
    const replicas = [
      new SubscriptionThrottle(new SubscriptionRates(dataSource, metrics).check),
      new SubscriptionThrottle(new SubscriptionRates(dataSource, metrics).check),
    ];
    const sub = { id: randomUUID(), max_concurrency: 10, rate_limit_per_second: 4 };
    const waits = await Promise.all(Array.from({ length: 8 }, (_, i) => replicas[i % 2].slot(sub, 1000)));
    const sent = waits.filter((w) => w === 0).length;
    // Per replica it would be 8 (4 each). A fifth can go only if the calls straddle a second, as the window slides.
    expect(sent).toBeGreaterThanOrEqual(4);
    expect(sent).toBeLessThanOrEqual(5);
    for (const w of waits.filter((w) => w > 0)) expect(w).toBeLessThanOrEqual(1000);
    const [row] = await db.query<{ count: number; previous: number }>(`SELECT count, previous FROM dispatch.rate_window WHERE key = $1`, [
      `subscription:${sub.id}`,
    ]);
    expect(row.count + row.previous).toBe(sent);
    expect(fallbacks).toEqual([]);
  });
});
