import { freePort, spawnService, waitForReady, type ServiceProcess } from '@zapgate/testing';
import { createFixture } from './fixtures';
import { startPlatform, type Platform } from './platform-env';

/**
 * Cliq's per-user limit (50 posts a minute, then 10 minutes locked out) held across two
 * webhook-ingest replicas: they share one window in PostgreSQL, so a user gets 50, not 50 each.
 */
describe('rate limits shared by ingest replicas', () => {
  let platform: Platform;
  let second: ServiceProcess | undefined;

  beforeAll(async () => {
    platform = await startPlatform('limits', { INGEST_RATE_LIMIT_PER_MINUTE: '50', INGEST_PROJECTIONS: 'off' });
    const port = await freePort();
    second = spawnService('webhook-ingest', port, { ...platform.env, WEBHOOK_INGEST_PORT: String(port), INGEST_PROJECTIONS: 'off' });
    await waitForReady(second, '/health/ready', 45_000);
  });

  afterAll(async () => {
    await second?.stop();
    await platform?.stop();
  });

  it('refuses the 51st post of a user within a minute whichever replica it reaches', async () => {
    const fx = await createFixture(platform, 'limits@example.com');
    const replicas = [platform.services.ingest.baseUrl, second!.baseUrl];
    const post = (base: string, i: number) =>
      fetch(`${base}/api/v2/channelsbyname/general/message?zapikey=${fx.token}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: `post ${i}` }),
      });
    const statuses: number[] = [];
    for (let i = 0; i < 50; i++) statuses.push((await post(replicas[i % 2], i)).status);
    expect(statuses.filter((s) => s !== 204)).toEqual([]);
    for (const base of replicas) {
      const refused = await post(base, 51);
      expect(refused.status).toBe(429);
      // Cliq's lock-out: ten minutes, on every replica.
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(590);
    }
  });
});
