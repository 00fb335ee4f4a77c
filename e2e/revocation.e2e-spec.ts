import { createFixture } from './fixtures';
import { ADMIN_KEY, startPlatform, type Platform } from './platform-env';

const PASSWORD = 'correct horse battery';

/**
 * webhook-ingest caches positive token answers for 60 s here, so a token can
 * only stop working within a second because the revocation event reached it.
 */
describe('revocation reaches webhook-ingest within 1 s', () => {
  let platform: Platform;
  let session: string;
  let userId: string;

  beforeAll(async () => {
    platform = await startPlatform('revoke', { TOKEN_CACHE_TTL_MS: '60000' });
    const token = platform.services.token.baseUrl;
    const user = await fetch(`${token}/api/v1/admin/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-admin-key': ADMIN_KEY },
      body: JSON.stringify({ email: 'revoker@example.com', display_name: 'R', password: PASSWORD }),
    });
    userId = ((await user.json()) as { id: string }).id;
    const signedIn = await fetch(`${token}/api/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'revoker@example.com', password: PASSWORD }),
    });
    session = ((await signedIn.json()) as { session_token: string }).session_token;
  });

  afterAll(async () => {
    await platform?.stop();
  });

  const mint = async (name: string) => {
    const res = await fetch(`${platform.services.token.baseUrl}/api/v1/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${session}` },
      body: JSON.stringify({ name }),
    });
    return (await res.json()) as { id: string; token: string };
  };
  const post = (token: string) =>
    fetch(`${platform.services.ingest.baseUrl}/api/v2/channelsbyname/general/message?zapikey=${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'hi' }),
    }).then((r) => r.status);

  /** Polls until ingest refuses the token; resolves with how long that took, or Infinity past 1 s. */
  async function msUntilRefused(token: string, since: number): Promise<number> {
    while (Date.now() - since <= 1000) {
      if ((await post(token)) === 401) return Date.now() - since;
      await new Promise((r) => setTimeout(r, 10));
    }
    return Infinity;
  }

  it('stops a deleted token at ingest although ingest cached it as valid', async () => {
    const { id, token } = await mint('to-delete');
    expect(await post(token)).toBe(204);
    expect(await post(token)).toBe(204); // now served from the 60 s cache
    const revokedAt = Date.now();
    const res = await fetch(`${platform.services.token.baseUrl}/api/v1/tokens/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${session}` } });
    expect(res.status).toBe(204);
    const elapsed = await msUntilRefused(token, revokedAt);
    process.stdout.write(`revocation reached webhook-ingest in ${elapsed} ms\n`);
    expect(elapsed).toBeLessThanOrEqual(1000);
  });

  it('stops a token rotated without grace, and every token of a deactivated user', async () => {
    const rotatedAway = await mint('to-rotate');
    const other = await mint('other');
    expect(await post(rotatedAway.token)).toBe(204);
    expect(await post(other.token)).toBe(204);

    const rotatedAt = Date.now();
    const rotation = await fetch(`${platform.services.token.baseUrl}/api/v1/tokens/${rotatedAway.id}/rotate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${session}` },
      body: '{}',
    });
    const replacement = ((await rotation.json()) as { token: string }).token;
    expect(await msUntilRefused(rotatedAway.token, rotatedAt)).toBeLessThanOrEqual(1000);
    expect(await post(replacement)).toBe(204);

    const deactivatedAt = Date.now();
    await fetch(`${platform.services.token.baseUrl}/api/v1/admin/users/${userId}/deactivate`, { method: 'POST', headers: { 'x-admin-key': ADMIN_KEY } });
    expect(await msUntilRefused(other.token, deactivatedAt)).toBeLessThanOrEqual(1000);
    expect(await msUntilRefused(replacement, deactivatedAt)).toBeLessThanOrEqual(1000);
  });

  /** Cache misses of ingest's appkey check so far (each is one NATS round trip to token-service). */
  async function appkeyLookups(): Promise<number> {
    const text = await (await fetch(`${platform.services.ingest.baseUrl}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith('zapgate_pipeline_stage_seconds_count{') && l.includes('stage="appkey_verify"'));
    return line ? Number(line.split(' ').pop()) : 0;
  }

  it('caches a verified appkey, and drops it at once when the appkey is rotated', async () => {
    const fx = await createFixture(platform, 'appkey-rotation@example.com');
    const incoming = (appkey: string) =>
      fetch(`${platform.services.ingest.baseUrl}/api/v2/applications/${fx.app.id}/incoming?appkey=${appkey}&zapikey=${fx.appToken}&channel=general`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      }).then((r) => r.status);
    expect(await incoming(fx.app.appkey)).toBe(204);
    const lookups = await appkeyLookups();
    expect(await incoming(fx.app.appkey)).toBe(204);
    expect(await incoming(fx.app.appkey)).toBe(204);
    expect(await appkeyLookups()).toBe(lookups); // answered from the cache: no round trip

    const rotated = await fetch(`${platform.services.token.baseUrl}/api/v1/admin/applications/${fx.app.id}/appkey/rotate`, {
      method: 'POST',
      headers: { 'x-admin-key': ADMIN_KEY },
    });
    expect(rotated.status).toBe(201);
    const { appkey } = (await rotated.json()) as { appkey: string };
    // The cache holds answers for 60 s here: only the application-changed event can refuse the old appkey before that.
    const deadline = Date.now() + 20_000;
    let status = await incoming(fx.app.appkey);
    while (status !== 401 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500)); // slowly: the user's 50 posts a minute must not answer first
      status = await incoming(fx.app.appkey);
    }
    expect(status).toBe(401);
    expect(await incoming(appkey)).toBe(204);
  });
});
