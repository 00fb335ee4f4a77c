import { freePort, spawnService, waitForReady, type ServiceProcess } from '@zapgate/testing';
import { ADMIN_KEY, startPlatform, type Platform } from './platform-env';

const PASSWORD = 'correct horse battery';

/**
 * Usage counts every accepted use once, whichever replica answered and
 * whether its verifier asked token-service or answered from its cache (held
 * for 60 s here, so almost every post is a cache hit).
 */
describe('exact token usage across replicas and caches', () => {
  let platform: Platform;
  let second: ServiceProcess;

  beforeAll(async () => {
    const env = { TOKEN_CACHE_TTL_MS: '60000', TOKEN_USAGE_REPORT_MS: '300', USAGE_FLUSH_INTERVAL_MS: '300', INGEST_RATE_LIMIT_PER_MINUTE: '1000' };
    platform = await startPlatform('usage', env);
    const port = await freePort();
    second = spawnService('webhook-ingest', port, { ...platform.env, WEBHOOK_INGEST_PORT: String(port) });
    await waitForReady(second, '/health/ready', 45_000);
  });

  afterAll(async () => {
    await second?.stop();
    await platform?.stop();
  });

  it('reads exactly N uses for 24 h, 7 d, 30 d and a range after N posts through two ingest replicas', async () => {
    const token = platform.services.token.baseUrl;
    const json = { 'content-type': 'application/json' };
    await fetch(`${token}/api/v1/admin/users`, {
      method: 'POST',
      headers: { ...json, 'x-admin-key': ADMIN_KEY },
      body: JSON.stringify({ email: 'counted@example.com', display_name: 'C', password: PASSWORD }),
    });
    const signedIn = await fetch(`${token}/api/v1/sessions`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ email: 'counted@example.com', password: PASSWORD }),
    });
    const session = ((await signedIn.json()) as { session_token: string }).session_token;
    const auth = { authorization: `Bearer ${session}` };
    const minted = (await (
      await fetch(`${token}/api/v1/tokens`, { method: 'POST', headers: { ...json, ...auth }, body: JSON.stringify({ name: 'counted' }) })
    ).json()) as {
      id: string;
      token: string;
    };

    const N = 40;
    const replicas = [platform.services.ingest.baseUrl, second.baseUrl];
    for (let i = 0; i < N; i++) {
      const res = await fetch(`${replicas[i % 2]}/api/v2/channelsbyname/general/message?zapikey=${minted.token}`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ text: `#${i}` }),
      });
      expect(res.status).toBe(204);
    }

    const total = async (query: string) =>
      ((await (await fetch(`${token}/api/v1/tokens/${minted.id}/usage?${query}`, { headers: auth })).json()) as { total: number }).total;
    const deadline = Date.now() + 30_000;
    while ((await total('window=24h')) < N && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    // Several report and flush intervals more: nothing may be counted twice either.
    await new Promise((r) => setTimeout(r, 2000));
    const from = new Date(Date.now() - 3600_000).toISOString();
    const to = new Date(Date.now() + 3600_000).toISOString();
    expect([await total('window=24h'), await total('window=7d'), await total('window=30d'), await total(`from=${from}&to=${to}`)]).toEqual([N, N, N, N]);
  });
});
