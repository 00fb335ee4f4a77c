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
});
