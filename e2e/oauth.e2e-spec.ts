import { SecretBox, encryptionKeysSchema } from '@zapgate/platform';
import { freePort, spawnService, waitForReady, WORKSPACE_ROOT } from '@zapgate/testing';
import { connect, type NatsConnection } from 'nats';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { adminPost, until } from './fixtures';
import { browse } from './oauth/browser';
import { startOidcPeer, type OidcPeer } from './oauth/oidc-peer';
import { ZohoPeer } from './oauth/zoho-peer';
import { ADMIN_KEY, startPlatform, type Platform } from './platform-env';

const ACCESS_TTL = 6;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('OAuth refresh', () => {
  let platform: Platform;
  let peer: OidcPeer;
  let oauth: string;
  let nc: NatsConnection;
  const events: { subject: string; data: any }[] = [];

  const admin = async (path: string, init: RequestInit = {}, base = oauth) => {
    const res = await fetch(base + path, {
      ...init,
      headers: { ...(init.body ? { 'content-type': 'application/json' } : {}), 'x-admin-key': ADMIN_KEY, ...(init.headers as Record<string, string>) },
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as any) : undefined, headers: res.headers };
  };

  /** A second oauth-refresh process on the same database and NATS. */
  const startReplica = async () => {
    const port = await freePort();
    const replica = spawnService('oauth-refresh', port, { ...platform.env, OAUTH_REFRESH_PORT: String(port) });
    await waitForReady(replica);
    return replica;
  };

  /** Registers the generic connector for the oidc-provider peer. */
  const genericConnector = async () =>
    (
      await admin('/api/v1/connectors', {
        method: 'POST',
        body: JSON.stringify({
          name: 'Test IdP',
          preset: 'generic',
          client_id: peer.clientId,
          client_secret: peer.clientSecret,
          authorization_url: `${peer.issuer}/auth`,
          token_url: `${peer.issuer}/token`,
          revoke_url: `${peer.issuer}/token/revocation`,
          scopes: ['openid', 'api'],
        }),
      })
    ).body as { id: string };

  /** A user goes through the whole code flow in a scripted browser; the connection it made. */
  const authorize = async (connectorId: string, user: string) => {
    const link = await admin(`/api/v1/connectors/${connectorId}/authorize-links`, { method: 'POST', body: JSON.stringify({ user }) });
    expect(link.status).toBe(200);
    const done = await browse(link.body.url);
    expect(done.status).toBe(200);
    return { ...(JSON.parse(done.body) as { connection_id: string; has_refresh_token: boolean }), hops: done.hops };
  };

  beforeAll(async () => {
    platform = await startPlatform('oauth', {
      OUTBOUND_ALLOWED_CIDRS: '127.0.0.0/8',
      REFRESH_MARGIN_SECONDS: '60',
      REFRESH_JITTER_SECONDS: '1',
      REFRESH_SCHEDULER_INTERVAL_MS: '200',
      REFRESH_LEASE_SECONDS: '10',
      PROVIDER_TIMEOUT_MS: '3000',
    });
    oauth = platform.services.oauth.baseUrl;
    peer = await startOidcPeer(`${oauth}/api/v1/oauth/callback`, ACCESS_TTL);
    nc = await connect({ servers: platform.env.NATS_URL });
    for (const subject of ['zapgate.oauth.token.refreshed.v1', 'zapgate.oauth.connection.failed.v1']) {
      nc.subscribe(`${platform.namespace}.${subject}`, { callback: (_, msg) => events.push({ subject, data: msg.json() }) });
    }
  });

  afterAll(async () => {
    await nc?.close();
    await peer?.stop();
    await platform?.stop();
  });

  it('refuses a connector whose endpoints point inside the network, in any address form', async () => {
    const base = {
      name: 'Internal',
      preset: 'generic',
      client_id: 'c',
      client_secret: 's',
      authorization_url: `${peer.issuer}/auth`,
      token_url: `${peer.issuer}/token`,
      scopes: ['api'],
    };
    const internal = [
      'http://169.254.169.254/latest',
      'http://10.0.0.1/token',
      'http://[::ffff:169.254.169.254]/',
      'http://[64:ff9b::a9fe:a9fe]/',
      'http://[2002:a9fe:a9fe::1]/',
      'http://[2001:0:a00:1::1]/',
    ];
    for (const field of ['token_url', 'authorization_url', 'refresh_url', 'revoke_url']) {
      for (const url of internal) {
        const res = await admin('/api/v1/connectors', { method: 'POST', body: JSON.stringify({ ...base, [field]: url }) });
        expect([field, url, res.status, res.body.code, res.body.details?.[0]?.path]).toEqual([field, url, 400, 'outbound_url_refused', field]);
      }
    }
    const ok = await admin('/api/v1/connectors', { method: 'POST', body: JSON.stringify(base) }); // loopback is allow-listed here
    expect(ok.status).toBe(201);
    const patched = await admin(`/api/v1/connectors/${ok.body.id}`, { method: 'PATCH', body: JSON.stringify({ revoke_url: 'http://169.254.169.254/' }) });
    expect([patched.status, patched.body.code]).toEqual([400, 'outbound_url_refused']);
  });

  it("lets an application's owner key manage its own connectors, and never its appkey", async () => {
    const make = (name: string) =>
      adminPost<{ id: string; appkey: string; owner_key: string }>(platform, '/api/v1/admin/applications', { name, owner_email: 'dev@example.com' });
    const [mine, theirs] = await Promise.all([make('Owner A'), make('Owner B')]);
    const as =
      (headers: Record<string, string>) =>
      async (path: string, init: RequestInit = {}) => {
        const res = await fetch(oauth + path, { ...init, headers: { ...(init.body ? { 'content-type': 'application/json' } : {}), ...headers } });
        const text = await res.text();
        return { status: res.status, body: text ? (JSON.parse(text) as any) : undefined };
      };
    const owner = as({ 'x-owner-key': mine.owner_key });
    const body = JSON.stringify({
      name: 'Owned',
      preset: 'generic',
      client_id: 'c',
      client_secret: 's',
      authorization_url: `${peer.issuer}/auth`,
      token_url: `${peer.issuer}/token`,
      scopes: ['api'],
    });
    const created = await owner(`/api/v1/connectors?app_id=${mine.id}`, { method: 'POST', body });
    expect([created.status, created.body.app_id]).toEqual([201, mine.id]);
    expect((await owner(`/api/v1/connectors?app_id=${mine.id}`)).body.data.map((c: { id: string }) => c.id)).toEqual([created.body.id]);
    expect((await owner(`/api/v1/connectors/${created.body.id}?app_id=${mine.id}`)).status).toBe(200);
    const link = await owner(`/api/v1/connectors/${created.body.id}/authorize-links?app_id=${mine.id}`, {
      method: 'POST',
      body: JSON.stringify({ user: 'u-1' }),
    });
    expect(link.status).toBe(200);

    // The appkey is in every user's webhook URL: it creates, lists and authorizes nothing.
    const byAppkey = as({ 'x-appkey': mine.appkey });
    expect((await byAppkey(`/api/v1/connectors?app_id=${mine.id}`)).status).toBe(401);
    expect((await byAppkey(`/api/v1/connectors?app_id=${mine.id}`, { method: 'POST', body })).status).toBe(401);
    expect((await fetch(`${oauth}/api/v1/connectors/${created.body.id}/authorize?user=victim&appkey=${mine.appkey}`, { redirect: 'manual' })).status).toBe(401);
    const ownerAuthorize = await fetch(`${oauth}/api/v1/connectors/${created.body.id}/authorize?user=u-2`, {
      redirect: 'manual',
      headers: { 'x-owner-key': mine.owner_key },
    });
    expect(ownerAuthorize.status).toBe(302);
    // Another application's owner sees nothing of it.
    const other = as({ 'x-owner-key': theirs.owner_key });
    expect((await other(`/api/v1/connectors/${created.body.id}?app_id=${theirs.id}`)).status).toBe(404);
    expect((await other(`/api/v1/connectors/${created.body.id}?app_id=${mine.id}`)).status).toBe(401);
    // The audit log says which application's owner did it; refused attempts left nothing there.
    const audit = await admin(`/api/v1/oauth/audit?target_type=connector&target_id=${created.body.id}`);
    expect(audit.body.data.map((e: { action: string; actor: { type: string; id: string } }) => [e.action, e.actor.type, e.actor.id])).toEqual([
      ['connection.authorize_link_created', 'owner', mine.id],
      ['connector.created', 'owner', mine.id],
    ]);
  });

  it('shows the end user a page that says what happened after consenting, not JSON', async () => {
    const connector = await genericConnector();
    const link = await admin(`/api/v1/connectors/${connector.id}/authorize-links`, { method: 'POST', body: JSON.stringify({ user: 'user-<page>' }) });
    const browser = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
    const done = await browse(link.body.url, {}, browser);
    expect(done.status).toBe(200);
    expect(done.body).toContain('<h1>Connected</h1>');
    // What the user typed is shown, escaped.
    expect(done.body).toContain('<strong>user-&lt;page&gt;</strong>');
    const again = await fetch(done.url, { headers: browser });
    expect(again.status).toBe(400);
    expect(again.headers.get('content-type')).toContain('text/html');
    expect(await again.text()).toContain('<h1>Not connected</h1>');
    // The audit log still names the connection the page reported.
    const made = await admin(`/api/v1/connections?user=${encodeURIComponent('user-<page>')}`);
    const audit = await admin(`/api/v1/oauth/audit?action=connection.authorized&target_id=${made.body.data[0].id}`);
    expect(audit.body.data).toHaveLength(1);
  });

  it('authorizes with the code flow and PKCE S256, with a signed single-use state, and serves a working token', async () => {
    const connector = await genericConnector();
    const { connection_id, has_refresh_token, hops } = await authorize(connector.id, 'user-1');
    expect(has_refresh_token).toBe(true);
    const toProvider = new URL(hops[1]);
    expect(toProvider.origin).toBe(peer.issuer);
    expect(toProvider.searchParams.get('code_challenge_method')).toBe('S256');
    expect(toProvider.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(toProvider.searchParams.get('state')).toMatch(/^[0-9a-f-]{36}\.[A-Za-z0-9_-]{32}$/);

    // The callback URL cannot be used twice, and a state that was tampered with is refused.
    const callback = hops[hops.length - 1];
    expect((await fetch(callback)).status).toBe(400);
    const forged = new URL(callback);
    forged.searchParams.set('state', `${forged.searchParams.get('state')!.slice(0, -1)}x`);
    expect((await fetch(forged)).status).toBe(400);

    const token = await admin(`/api/v1/connections/${connection_id}/token`);
    expect(token.status).toBe(200);
    const userinfo = await fetch(`${peer.issuer}/me`, { headers: { authorization: `Bearer ${token.body.access_token}` } });
    expect(userinfo.status).toBe(200);

    // Over NATS for other services, the same answer.
    const reply = await nc.request(`${platform.namespace}.zapgate.oauth.token.get.v1`, JSON.stringify({ connectionId: connection_id }), { timeout: 5000 });
    expect(reply.json()).toMatchObject({ ok: true, data: { ok: true, accessToken: token.body.access_token, tokenType: 'Bearer' } });

    // Nothing secret in the connector or connection views, or in the database.
    const views = JSON.stringify([(await admin(`/api/v1/connectors/${connector.id}`)).body, (await admin(`/api/v1/connections/${connection_id}`)).body]);
    expect(views).not.toContain(peer.clientSecret);
    expect(views).not.toContain(token.body.access_token);
    const stored = await platform.db.query<Record<string, string>>(`SELECT access_token_sealed FROM oauth.connection WHERE id = $1`, [connection_id]);
    expect(stored[0].access_token_sealed).toMatch(/^v1\.k1\./);
    expect(stored[0].access_token_sealed).not.toContain(token.body.access_token);

    // The authorize endpoint needs a signed link (or an operator): a bare or stale link is refused.
    expect((await fetch(`${oauth}/api/v1/connectors/${connector.id}/authorize?user=mallory`, { redirect: 'manual' })).status).toBe(401);
    const stale = `${oauth}/api/v1/connectors/${connector.id}/authorize?user=user-1&expires=${Math.floor(Date.now() / 1000) - 1}&sig=AAAA`;
    expect((await fetch(stale, { redirect: 'manual' })).status).toBe(401);
  });

  it('refreshes ahead of expiry, publishes an event without secrets, and never serves an expired token', async () => {
    const connector = await genericConnector();
    const { connection_id } = await authorize(connector.id, 'user-ahead');
    const before = (await admin(`/api/v1/connections/${connection_id}`)).body;
    const refreshed = await until(async () => {
      const c = (await admin(`/api/v1/connections/${connection_id}`)).body;
      return c.generation >= before.generation + 2 ? c : undefined;
    }, 20_000);
    expect(refreshed.status).toBe('active');
    const mine = events.filter((e) => e.subject === 'zapgate.oauth.token.refreshed.v1' && e.data.connectionId === connection_id);
    expect(mine.length).toBeGreaterThanOrEqual(2);
    for (const e of mine) {
      expect(e.data.trigger).toBe('schedule');
      // The margin is min(60 s, half of a 6 s life): about 3 s before expiry, never after it.
      expect(e.data.secondsBeforeExpiry).toBeGreaterThan(1);
      expect(JSON.stringify(e.data)).not.toMatch(/access_token|refresh_token|Token"/);
    }
    const metrics = await (await fetch(`${oauth}/metrics`)).text();
    expect(metrics).toMatch(/zapgate_oauth_refreshes_total\{[^}]*outcome="refreshed"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/zapgate_oauth_refresh_seconds_before_expiry_count\{[^}]*\} [1-9]/);
    expect(metrics).toMatch(/zapgate_oauth_connections\{status="active"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/zapgate_oauth_provider_seconds_count\{[^}]*endpoint="refresh"[^}]*\} [1-9]/);
  }, 30_000);

  it('with two instances, refreshes each connection exactly once per expiry (rotation on: a double refresh would revoke the grant)', async () => {
    const second = await startReplica();
    try {
      const connector = await genericConnector();
      const ids: string[] = [];
      for (let i = 0; i < 30; i++) ids.push((await authorize(connector.id, `pair-${i}`)).connection_id);
      const start = (await peer.stats()).refreshes;

      // Both instances ask for tokens all the time while the schedulers refresh; three expiries pass.
      let asking = true;
      const askers = [oauth, second.baseUrl].map(async (base) => {
        while (asking) {
          await Promise.all(ids.map((id) => admin(`/api/v1/connections/${id}/token`, {}, base)));
          await sleep(150);
        }
      });
      await sleep(ACCESS_TTL * 3 * 1000 + 1000);
      asking = false;
      await Promise.all(askers);

      const stats = await peer.stats();
      expect(stats.refreshErrors).toEqual({});
      const statuses = await platform.db.query<{ status: string; generation: number }>(`SELECT status, generation FROM oauth.connection WHERE id = ANY($1)`, [
        ids,
      ]);
      expect(statuses.every((s) => s.status === 'active')).toBe(true);
      // One provider call per connection per cycle: refreshes of one grant are at least most of a token's life apart.
      for (const times of Object.values(stats.byGrant)) {
        for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThan(1500);
      }
      // Every connection went through at least three refresh cycles in the run.
      const calls = stats.refreshes - start;
      expect(calls).toBeGreaterThanOrEqual(ids.length * 3);
      const both = await Promise.all([oauth, second.baseUrl].map(async (b) => (await fetch(`${b}/metrics`)).text()));
      process.stdout.write(`oauth two instances: ${calls} refreshes for ${ids.length} connections over ${ACCESS_TTL * 3 + 1} s, none doubled\n`);
      expect(both.every((m) => /zapgate_oauth_refreshes_total/.test(m))).toBe(true);
    } finally {
      await second.stop();
    }
  }, 90_000);

  it('refreshes on demand once for many concurrent callers when the token is about to expire', async () => {
    const connector = await genericConnector();
    const { connection_id } = await authorize(connector.id, 'user-burst');
    // Park the scheduler for every connection: the provider's refresh count is then this burst's alone,
    // however slowly the machine runs the earlier tests' 6 s tokens.
    await platform.db.query(`UPDATE oauth.connection SET refresh_at = now() + interval '1 hour'`);
    await platform.db.query(`UPDATE oauth.connection SET expires_at = now() + interval '1 second' WHERE id = $1`, [connection_id]);
    const before = (await peer.stats()).refreshes;
    const answers = await Promise.all(Array.from({ length: 20 }, () => admin(`/api/v1/connections/${connection_id}/token`)));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(new Set(answers.map((a) => a.body.access_token)).size).toBe(1);
    expect((await peer.stats()).refreshes - before).toBe(1);
  });

  it('marks invalid_grant as reauth_required with an event, and retries transient provider errors', async () => {
    const connector = await genericConnector();
    const { connection_id } = await authorize(connector.id, 'user-broken');

    await peer.failTokenRequests(1);
    const transient = await admin(`/api/v1/connections/${connection_id}/refresh`, { method: 'POST' });
    expect(transient.status).toBe(200); // the current token is still good; the failure is recorded
    expect(transient.body).toMatchObject({ status: 'active', failures: 1, last_error: { code: 'temporarily_unavailable' } });

    const keys = encryptionKeysSchema.parse(platform.env.ENCRYPTION_KEYS);
    const box = new SecretBox(keys.keys, keys.currentKeyId);
    await platform.db.query(`UPDATE oauth.connection SET refresh_token_sealed = $2 WHERE id = $1`, [
      connection_id,
      box.seal('not-a-real-refresh-token', `${connection_id}:refresh`),
    ]);
    const broken = await admin(`/api/v1/connections/${connection_id}/refresh`, { method: 'POST' });
    expect(broken.status).toBe(409);
    expect(broken.body.code).toBe('reauth_required');
    expect((await admin(`/api/v1/connections/${connection_id}`)).body).toMatchObject({ status: 'reauth_required', last_error: { code: 'invalid_grant' } });
    expect((await admin(`/api/v1/connections/${connection_id}/token`)).status).toBe(409);
    const failed = await until(async () => events.find((e) => e.subject === 'zapgate.oauth.connection.failed.v1' && e.data.connectionId === connection_id));
    expect(failed.data).toMatchObject({ status: 'reauth_required', error: { code: 'invalid_grant' } });

    // Authorizing again brings it back.
    await authorize(connector.id, 'user-broken');
    expect((await admin(`/api/v1/connections/${connection_id}`)).body.status).toBe('active');
  });

  it('makes readers share the scheduled retry during a provider outage: one provider call, one back-off step', async () => {
    const connector = await genericConnector();
    const { connection_id } = await authorize(connector.id, 'user-outage');
    // Inside the refresh margin, still valid: every read would like a refresh.
    await platform.db.query(
      `UPDATE oauth.connection SET expires_at = now() + interval '30 seconds', last_refreshed_at = now() - interval '1 hour', refresh_at = now() + interval '1 hour' WHERE id = $1`,
      [connection_id],
    );
    const before = await peer.stats();
    await peer.failTokenRequests(10);
    const reads = [];
    for (let i = 0; i < 3; i++) reads.push(await admin(`/api/v1/connections/${connection_id}/token`));
    await peer.failTokenRequests(0);
    expect(reads.map((r) => r.status)).toEqual([200, 200, 200]); // the current token is still good
    const after = await admin(`/api/v1/connections/${connection_id}`);
    expect(after.body).toMatchObject({ failures: 1, last_error: { code: 'temporarily_unavailable' } });
    const errors = (s: { refreshErrors: Record<string, number> }) => Object.values(s.refreshErrors).reduce((a, b) => a + b, 0);
    expect((await peer.stats()).refreshes + errors(await peer.stats()) - (before.refreshes + errors(before))).toBeLessThanOrEqual(1);

    // Once expired, a reader is told when the scheduled attempt is, instead of calling the provider itself.
    await platform.db.query(`UPDATE oauth.connection SET expires_at = now() - interval '1 second' WHERE id = $1`, [connection_id]);
    const expired = await admin(`/api/v1/connections/${connection_id}/token`);
    expect([expired.status, expired.body.code, Number(expired.headers.get('retry-after')) > 0]).toEqual([503, 'provider_unavailable', true]);
    expect((await admin(`/api/v1/connections/${connection_id}`)).body.failures).toBe(1);
  });

  it('shows reauth_required for an expired connection that has no refresh token, in its status and the list filter', async () => {
    const connector = await genericConnector();
    const { connection_id } = await authorize(connector.id, 'user-online');
    await platform.db.query(
      `UPDATE oauth.connection SET refresh_token_sealed = NULL, refresh_at = NULL, expires_at = now() - interval '1 second' WHERE id = $1`,
      [connection_id],
    );
    expect((await admin(`/api/v1/connections/${connection_id}`)).body.status).toBe('reauth_required');
    const listed = await admin(`/api/v1/connections?connector_id=${connector.id}&status=reauth_required`);
    expect(listed.body.data.map((c: { id: string }) => c.id)).toEqual([connection_id]);
    expect((await admin(`/api/v1/connections?connector_id=${connector.id}&status=active`)).body.data).toEqual([]);
    expect((await admin(`/api/v1/connections/${connection_id}/token`)).body.code).toBe('reauth_required');
  });

  it('recovers a refresh whose answer was received but not stored, instead of spending the rotated refresh token again', async () => {
    const connector = await genericConnector();
    const { connection_id } = await authorize(connector.id, 'user-lost-answer');
    // Park the scheduler (every connection, so the provider's refresh count is this test's alone); the test drives the refreshes.
    await platform.db.query(`UPDATE oauth.connection SET refresh_at = now() + interval '1 hour'`);
    await sleep(500);
    // PostgreSQL refuses the write of the refreshed tokens, as if it went away between the provider's answer and the UPDATE.
    await platform.db.query(`
      CREATE OR REPLACE FUNCTION oauth.refuse_refresh() RETURNS trigger AS $$
      BEGIN IF NEW.id = '${connection_id}' AND NEW.generation > OLD.generation THEN RAISE EXCEPTION 'database went away'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`);
    await platform.db.query(`CREATE TRIGGER refuse_refresh BEFORE UPDATE ON oauth.connection FOR EACH ROW EXECUTE FUNCTION oauth.refuse_refresh()`);
    const before = await peer.stats();
    try {
      expect((await admin(`/api/v1/connections/${connection_id}/refresh`, { method: 'POST' })).status).toBe(500);
    } finally {
      await platform.db.query(`DROP TRIGGER refuse_refresh ON oauth.connection`);
    }
    expect((await peer.stats()).refreshes).toBe(before.refreshes + 1); // the provider rotated the refresh token

    // The lease runs out; the next refresh applies the journaled answer and does not call the provider.
    await platform.db.query(`UPDATE oauth.connection SET lease_until = now() WHERE id = $1`, [connection_id]);
    const recovered = await admin(`/api/v1/connections/${connection_id}/refresh`, { method: 'POST' });
    expect(recovered.status).toBe(200);
    expect((await peer.stats()).refreshes).toBe(before.refreshes + 1);
    expect(await (await fetch(`${oauth}/metrics`)).text()).toMatch(/zapgate_oauth_refreshes_total\{[^}]*outcome="recovered"[^}]*\} 1/);

    // The recovered (rotated) refresh token is the live one: the next refresh works, and nothing was reused.
    await platform.db.query(`UPDATE oauth.connection SET refresh_at = now() + interval '1 hour'`);
    expect((await admin(`/api/v1/connections/${connection_id}/refresh`, { method: 'POST' })).status).toBe(200);
    const after = await peer.stats();
    expect(after.refreshes).toBe(before.refreshes + 2);
    expect(after.refreshErrors).toEqual(before.refreshErrors);
    expect((await admin(`/api/v1/connections/${connection_id}`)).body.status).toBe('active');
  });

  it('revokes at the provider and deletes the local tokens', async () => {
    const connector = await genericConnector();
    const { connection_id } = await authorize(connector.id, 'user-leaving');
    const before = (await peer.stats()).revocations;
    expect((await admin(`/api/v1/connections/${connection_id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await peer.stats()).revocations).toBe(before + 1);
    const row = await platform.db.query<Record<string, unknown>>(
      `SELECT status, access_token_sealed, refresh_token_sealed FROM oauth.connection WHERE id = $1`,
      [connection_id],
    );
    expect(row[0]).toEqual({ status: 'revoked', access_token_sealed: null, refresh_token_sealed: null });
    expect((await admin(`/api/v1/connections/${connection_id}/token`)).status).toBe(410);
  });

  describe('Zoho preset', () => {
    let us: ZohoPeer;
    let eu: ZohoPeer;
    let connectorId: string;

    beforeAll(async () => {
      eu = await new ZohoPeer('eu', () => ({ location: 'eu', accountsServer: eu.url })).start();
      us = await new ZohoPeer('com', () => ({ location: 'eu', accountsServer: eu.url })).start();
      const created = await admin('/api/v1/connectors', {
        method: 'POST',
        body: JSON.stringify({
          name: 'Zoho Desk',
          preset: 'zoho',
          client_id: '1000.CLIENT',
          client_secret: 'zoho-client-secret',
          authorization_url: `${us.url}/oauth/v2/auth`,
          token_url: `${us.url}/oauth/v2/token`,
          revoke_url: `${us.url}/oauth/v2/token/revoke`,
          scopes: ['Desk.tickets.READ', 'Desk.basic.READ'],
          accounts_servers: { us: us.url, eu: eu.url },
        }),
      });
      expect(created.status).toBe(201);
      expect(created.body.refresh_budget).toEqual({ count: 10, window_seconds: 600 });
      connectorId = created.body.id;
    });

    afterAll(async () => {
      await us?.close();
      await eu?.close();
    });

    it("asks for offline access with consent, exchanges the code at the user's data centre and keeps api_domain", async () => {
      const { connection_id } = await authorize(connectorId, 'zoho-user');
      const auth = us.calls.find((c) => c.path === '/oauth/v2/auth')!;
      expect(auth.params).toMatchObject({
        access_type: 'offline',
        prompt: 'consent',
        scope: 'Desk.tickets.READ,Desk.basic.READ',
        code_challenge_method: 'S256',
      });
      expect(us.tokenCalls('authorization_code')).toHaveLength(0);
      expect(eu.tokenCalls('authorization_code')).toHaveLength(1);
      expect((await admin(`/api/v1/connections/${connection_id}`)).body.api_domain).toBe('https://www.zohoapis.eu');

      // Refreshes go to the same data centre; Zoho sends no new refresh token, so the first one keeps working.
      for (let i = 0; i < 2; i++) expect((await admin(`/api/v1/connections/${connection_id}/refresh`, { method: 'POST' })).status).toBe(200);
      expect(eu.tokenCalls('refresh_token')).toHaveLength(2);
      expect(new Set(eu.tokenCalls('refresh_token').map((c) => c.params.refresh_token)).size).toBe(1);
    });

    it('refuses a callback that names an accounts server outside the data-centre map', async () => {
      const link = await admin(`/api/v1/connectors/${connectorId}/authorize-links`, { method: 'POST', body: JSON.stringify({ user: 'zoho-forged' }) });
      const toZoho = await fetch(link.body.url, { redirect: 'manual' });
      const state = new URL(toZoho.headers.get('location')!).searchParams.get('state')!;
      const forged = await fetch(
        `${oauth}/api/v1/oauth/callback?code=1000.code.x&state=${encodeURIComponent(state)}&location=eu&accounts-server=http://127.0.0.1:9`,
      );
      expect(forged.status).toBe(400);
      expect(((await forged.json()) as { code: string }).code).toBe('authorization_denied');
    });

    it('backs off on "Access Denied" (HTTP 200), keeps within 10 refreshes per 10 minutes, and treats invalid_code as reauth', async () => {
      const { connection_id } = await authorize(connectorId, 'zoho-busy');
      eu.mode = 'throttle';
      const throttled = await admin(`/api/v1/connections/${connection_id}/refresh`, { method: 'POST' });
      expect(throttled.body).toMatchObject({ status: 'active', last_error: { code: 'Access Denied' } });
      eu.mode = 'ok';

      const calls = () =>
        eu.tokenCalls('refresh_token').filter((c) => c.params.refresh_token === eu.tokenCalls('refresh_token').at(-1)!.params.refresh_token).length;
      let status = 200;
      for (let i = 0; i < 12 && status === 200; i++) status = (await admin(`/api/v1/connections/${connection_id}/refresh`, { method: 'POST' })).status;
      expect(status).toBe(429);
      expect(calls()).toBe(10); // the throttled call counts too: the budget counts calls, not successes

      const { connection_id: other } = await authorize(connectorId, 'zoho-revoked');
      eu.mode = 'revoked';
      const revoked = await admin(`/api/v1/connections/${other}/refresh`, { method: 'POST' });
      eu.mode = 'ok';
      expect(revoked.status).toBe(409);
      expect((await admin(`/api/v1/connections/${other}`)).body).toMatchObject({ status: 'reauth_required', last_error: { code: 'invalid_code' } });
    });
  });

  it('re-seals every secret under a new key with npm run oauth:rekey, and keeps working', async () => {
    const connector = await genericConnector();
    const { connection_id } = await authorize(connector.id, 'user-rekey');
    // Neither the scheduler nor an on-demand refresh may replace the token while the service restarts, however long that takes.
    await platform.db.query(`UPDATE oauth.connection SET refresh_at = now() + interval '1 hour', expires_at = now() + interval '1 hour' WHERE id = $1`, [
      connection_id,
    ]);
    const before = (await admin(`/api/v1/connections/${connection_id}/token`)).body.access_token as string;
    const keys = `k2:${randomBytes(32).toString('base64')},${platform.env.ENCRYPTION_KEYS}`;
    const { stdout } = await promisify(execFile)(process.execPath, [join(WORKSPACE_ROOT, 'apps/oauth-refresh/dist/rekey.main.js')], {
      env: { ...platform.env, ENCRYPTION_KEYS: keys },
    });
    expect(stdout).toMatch(/re-sealed under key k2: .*"connection.access_token_sealed":[1-9]/);
    const left = await platform.db.query(
      `SELECT id FROM oauth.connection WHERE access_token_sealed NOT LIKE 'v1.k2.%' OR refresh_token_sealed NOT LIKE 'v1.k2.%'`,
    );
    expect(left).toEqual([]);
    expect((await platform.db.query(`SELECT id FROM oauth.connector WHERE client_secret_sealed NOT LIKE 'v1.k2.%'`)).length).toBe(0);

    // The service, restarted with the new key first, reads everything.
    await platform.services.oauth.stop();
    platform.env.ENCRYPTION_KEYS = keys;
    platform.services.oauth = spawnService('oauth-refresh', Number(new URL(oauth).port), platform.env);
    await waitForReady(platform.services.oauth);
    expect((await admin(`/api/v1/connections/${connection_id}/token`)).body.access_token).toBe(before);
  }, 60_000);
});
