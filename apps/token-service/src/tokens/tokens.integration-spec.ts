import { TokenServiceHarness } from '../test/token-service.harness';

const PASSWORD = 'correct horse battery';

describe('sessions and token management', () => {
  let svc: TokenServiceHarness;
  let session: string;
  let userId: string;

  beforeAll(async () => {
    svc = await TokenServiceHarness.start({ MAX_WEBHOOK_TOKENS_PER_USER: '3', SIGNIN_MAX_FAILURES_PER_IP: '4', MAX_ROTATION_GRACE_SECONDS: '3600' });
    userId = (await svc.createUser('owner@example.com', { password: PASSWORD })).id;
    session = await svc.signIn('owner@example.com', PASSWORD);
  });

  afterAll(async () => {
    await svc?.stop();
  });

  const api = (method: string, path: string, body?: unknown, as = session) => svc.call(method, `/api/v1/tokens${path}`, { session: as, body });
  const works = async (token: string) => (await svc.call('GET', '/api/v1/tokens/current', { headers: { authorization: `Bearer ${token}` } })).status === 200;

  describe('sessions', () => {
    it('signs in with email and password for a short-lived session token', async () => {
      const res = await svc.call('POST', '/api/v1/sessions', { body: { email: 'OWNER@example.com', password: PASSWORD } });
      expect(res.status).toBe(201);
      expect(res.body.session_token).toMatch(/^zses_[0-9A-Za-z]{36}$/);
      const ttl = Date.parse(res.body.expires_at) - Date.now();
      expect(ttl).toBeGreaterThan(3500_000);
      expect(ttl).toBeLessThanOrEqual(3600_000);
      expect(res.body.user).toMatchObject({ id: userId, email: 'owner@example.com' });
    });

    it('answers the same 401 for an unknown email and a wrong password', async () => {
      for (const body of [
        { email: 'ghost@example.com', password: PASSWORD },
        { email: 'owner@example.com', password: 'not-the-password' },
      ]) {
        const res = await svc.call('POST', '/api/v1/sessions', { body });
        expect(res.status).toBe(401);
        expect(res.body).toEqual({ code: 'INVALID_CREDENTIALS', message: 'The email or password is wrong.' });
      }
    });

    it('requires a live session on management routes, and signing out ends it', async () => {
      expect((await api('GET', '')).status).toBe(200);
      expect((await svc.call('GET', '/api/v1/tokens')).body.code).toBe('session_required');
      expect((await api('GET', '', undefined, 'zses_forged')).status).toBe(401);
      const other = await svc.signIn('owner@example.com', PASSWORD);
      expect((await svc.call('DELETE', '/api/v1/sessions/current', { session: other })).status).toBe(204);
      expect((await api('GET', '', undefined, other)).status).toBe(401);
    });

    it('throttles failed sign-ins per IP across accounts with 429 and Retry-After', async () => {
      const throttled = await TokenServiceHarness.start({ SIGNIN_MAX_FAILURES_PER_IP: '3', SIGNIN_MAX_FAILURES_PER_ACCOUNT: '100' });
      try {
        await throttled.createUser('victim@example.com', { password: PASSWORD });
        const statuses: number[] = [];
        for (let i = 0; i < 4; i++) {
          statuses.push((await throttled.call('POST', '/api/v1/sessions', { body: { email: `probe${i}@example.com`, password: 'guess-wrong' } })).status);
        }
        expect(statuses).toEqual([401, 401, 401, 429]);
        const blocked = await throttled.call('POST', '/api/v1/sessions', { body: { email: 'victim@example.com', password: PASSWORD } });
        expect(blocked.status).toBe(429);
        expect(blocked.body.code).toBe('too_many_signin_attempts');
        expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(800);
      } finally {
        await throttled.stop();
      }
    });
  });

  describe('tokens', () => {
    it('mints personal webhook tokens up to the per-user limit and lists metadata only', async () => {
      const a = await api('POST', '', { name: 'github', scopes: ['ZohoCliq.Messages.READ'] });
      expect(a.status).toBe(201);
      expect(a.body.token).toMatch(/^zapk_/);
      await api('POST', '', { name: 'gitlab', expires_in_days: 30 });
      await api('POST', '', { name: 'jenkins' });
      const fourth = await api('POST', '', { name: 'one too many' });
      expect(fourth.status).toBe(409);
      expect(fourth.body.code).toBe('EXCEEDED_MAXIMUM_ALLOWED_AUTHTOKENS');

      const list = await api('GET', '');
      expect(list.body.data.map((t: { name: string }) => t.name)).toEqual(['jenkins', 'gitlab', 'github']);
      for (const t of list.body.data) {
        expect(Object.keys(t)).not.toContain('token');
        expect(Object.keys(t)).not.toContain('hash');
        expect(t.status).toBe('active');
      }
      expect(JSON.stringify(list.body)).not.toContain(a.body.token);
      expect(list.body.data.find((t: { name: string }) => t.name === 'gitlab').expires_at).toBeTruthy();

      // Revoking one frees a slot.
      await api('DELETE', `/${a.body.id}`);
      expect((await api('POST', '', { name: 'replacement' })).status).toBe(201);
    });

    it('revokes a token: it stops working, disappears from the default list, and shows with include_revoked', async () => {
      const other = await svc.createUser('other@example.com', { password: PASSWORD });
      const otherSession = await svc.signIn('other@example.com', PASSWORD);
      const minted = await api('POST', '', { name: 'to-revoke' }, otherSession);
      expect(await works(minted.body.token)).toBe(true);

      // Not yours: 404, and it keeps working.
      expect((await api('DELETE', `/${minted.body.id}`)).status).toBe(404);
      expect(await works(minted.body.token)).toBe(true);

      expect((await api('DELETE', `/${minted.body.id}`, undefined, otherSession)).status).toBe(204);
      expect(await works(minted.body.token)).toBe(false);
      expect((await api('GET', '', undefined, otherSession)).body.data).toEqual([]);
      const all = await svc.call('GET', '/api/v1/tokens?include_revoked=true', { session: otherSession });
      expect(all.body.data[0]).toMatchObject({ status: 'revoked', revoked_reason: 'deleted' });
      expect((await api('DELETE', `/${minted.body.id}`, undefined, otherSession)).status).toBe(204); // idempotent
      expect((await api('DELETE', '/not-a-uuid', undefined, otherSession)).status).toBe(400);
      expect(other.id).toBeTruthy();
    });

    it('rotates without grace: the old secret dies at once, the new one carries name, scopes and expiry', async () => {
      const fresh = await svc.createUser('rotator@example.com', { password: PASSWORD });
      const s = await svc.signIn('rotator@example.com', PASSWORD);
      const old = await api('POST', '', { name: 'ci', scopes: ['ZohoCliq.Messages.READ'], expires_in_days: 10 }, s);
      const rotated = await api('POST', `/${old.body.id}/rotate`, {}, s);
      expect(rotated.status).toBe(201);
      expect(rotated.body).toMatchObject({ name: 'ci', scopes: ['ZohoCliq.Messages.READ'], expires_at: old.body.expires_at, previous_token_id: old.body.id });
      expect(rotated.body.token).not.toBe(old.body.token);
      expect(await works(old.body.token)).toBe(false);
      expect(await works(rotated.body.token)).toBe(true);
      const again = await api('POST', `/${old.body.id}/rotate`, {}, s);
      expect(again).toMatchObject({ status: 409, body: { code: 'token_inactive' } });
      expect(fresh.id).toBeTruthy();
    });

    it('rotates with a grace period: both secrets work until it ends', async () => {
      await svc.createUser('graceful@example.com', { password: PASSWORD });
      const s = await svc.signIn('graceful@example.com', PASSWORD);
      const old = await api('POST', '', { name: 'deploy' }, s);
      const rotated = await api('POST', `/${old.body.id}/rotate`, { grace_period_seconds: 2 }, s);
      expect(Date.parse(rotated.body.previous_token_expires_at) - Date.now()).toBeLessThanOrEqual(2000);
      expect(await works(old.body.token)).toBe(true);
      expect(await works(rotated.body.token)).toBe(true);
      await new Promise((r) => setTimeout(r, 2200));
      expect(await works(old.body.token)).toBe(false);
      expect(await works(rotated.body.token)).toBe(true);
      expect((await api('POST', `/${rotated.body.id}/rotate`, { grace_period_seconds: 999_999 }, s)).status).toBe(400);
    });

    it('counts usage per token and reports 24 h, 7 d, 30 d and custom ranges in hourly buckets', async () => {
      await svc.createUser('counter@example.com', { password: PASSWORD });
      const s = await svc.signIn('counter@example.com', PASSWORD);
      const counted = await api('POST', '', { name: 'counted' }, s);
      const idle = await api('POST', '', { name: 'idle' }, s);
      for (let i = 0; i < 7; i++) await works(counted.body.token);
      await svc.settleUsage();

      const day = await api('GET', `/${counted.body.id}/usage?window=24h`, undefined, s);
      expect(day.status).toBe(200);
      expect(day.body.total).toBe(7);
      expect(day.body.buckets.length).toBeGreaterThanOrEqual(24);
      expect(day.body.buckets.filter((b: { count: number }) => b.count > 0)).toEqual([{ hour: expect.any(String), count: 7 }]);
      expect((await api('GET', `/${counted.body.id}/usage?window=7d`, undefined, s)).body.buckets.length).toBeGreaterThanOrEqual(168);
      expect((await api('GET', `/${counted.body.id}/usage?window=30d`, undefined, s)).body.total).toBe(7);
      const from = new Date(Date.now() - 2 * 3_600_000).toISOString();
      const to = new Date(Date.now() + 3_600_000).toISOString();
      const range = await svc.call('GET', `/api/v1/tokens/${counted.body.id}/usage?from=${from}&to=${to}`, { session: s });
      expect(range.body.total).toBe(7);
      expect((await api('GET', `/${idle.body.id}/usage`, undefined, s)).body.total).toBe(0);

      const listed = (await api('GET', '', undefined, s)).body.data.find((t: { id: string }) => t.id === counted.body.id);
      expect(listed.last_used_at).toBeTruthy();
      expect(listed.last_used_ip).toBe('127.0.0.1');

      for (const bad of ['window=1y', `window=24h&from=${from}`, `from=${to}&to=${from}`, `from=2020-01-01T00:00:00Z&to=2020-06-01T00:00:00Z`]) {
        expect((await svc.call('GET', `/api/v1/tokens/${counted.body.id}/usage?${bad}`, { session: s })).status).toBe(400);
      }
      // Someone else's token: 404.
      expect((await api('GET', `/${counted.body.id}/usage`)).status).toBe(404);
    });
  });
});
