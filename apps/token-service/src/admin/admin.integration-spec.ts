import { RpcSubjects } from '@zapgate/contracts';
import { connectTestNats } from '@zapgate/testing';
import { generateToken } from '@zapgate/token-client';
import type { NatsConnection } from 'nats';
import { TokenServiceHarness } from '../test/token-service.harness';

describe('token-service operator API and tokens.verify (real PostgreSQL + NATS)', () => {
  let svc: TokenServiceHarness;
  let nc: NatsConnection;

  beforeAll(async () => {
    svc = await TokenServiceHarness.start();
    nc = await connectTestNats();
  });

  afterAll(async () => {
    await nc?.close();
    await svc?.stop();
  });

  const verify = async (token: string, ip?: string) => {
    const msg = await nc.request(`${svc.namespace}.${RpcSubjects.TokensVerify}`, JSON.stringify({ token, ip }), { timeout: 2000 });
    return (msg.json() as { data: unknown }).data;
  };
  const mint = (userId: string, name = 'ci') =>
    svc.call('POST', `/api/v1/admin/users/${userId}/tokens`, { admin: true, body: { name, scopes: ['ZohoCliq.Messages.READ'] } });

  it('runs its migrations into its own schema', async () => {
    const tables = await svc.db.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'token' ORDER BY table_name`,
    );
    expect(tables.map((t) => t.table_name)).toEqual([
      'application',
      'audit_event',
      'dead_letter',
      'migrations',
      'operator_key',
      'session',
      'signin_throttle',
      'token',
      'usage_hourly',
      'usage_report',
      'user',
    ]);
  });

  it('creates a user, mints a token once, and verifies it over NATS', async () => {
    const user = await svc.createUser('Alice@Example.com');
    expect(user.email).toBe('alice@example.com');
    const res = await mint(user.id);
    expect(res.status).toBe(201);
    const minted = res.body as { id: string; token: string; prefix: string; last4: string; status: string };
    expect(minted.token).toMatch(/^zapk_[0-9A-Za-z]{36}$/);
    expect(minted).toMatchObject({ prefix: minted.token.slice(0, 9), last4: minted.token.slice(-4), status: 'active' });

    expect(await verify(minted.token)).toEqual({ active: true, tokenId: minted.id, userId: user.id, appId: null, scopes: ['ZohoCliq.Messages.READ'] });
    // Only the keyed hash is stored; the secret appears nowhere in the table.
    const rows = await svc.db.query<{ hash: Buffer }>(`SELECT hash FROM token.token WHERE id = $1`, [minted.id]);
    expect(rows[0].hash).toHaveLength(32);
    expect(JSON.stringify(await svc.db.query(`SELECT * FROM token.token`))).not.toContain(minted.token.slice(5));
  });

  it('answers inactive for unknown, malformed and foreign tokens alike', async () => {
    expect(await verify(generateToken('zapikey'))).toEqual({ active: false });
    expect(await verify('zapk_not-a-token')).toEqual({ active: false });
    expect(await verify('1001.abc.def')).toEqual({ active: false });
    expect(await verify(generateToken('appkey'))).toEqual({ active: false });
  });

  it('answers many verifications that arrive together, each with its own token', async () => {
    const user = await svc.createUser('burst@example.com');
    const minted = [(await mint(user.id, 'one')).body, (await mint(user.id, 'two')).body] as { id: string; token: string }[];
    const revoked = (await mint(user.id, 'gone')).body as { id: string; token: string };
    await svc.db.query(`UPDATE token.token SET revoked_at = now(), revoked_reason = 'deleted' WHERE id = $1`, [revoked.id]);
    // Sent back to back, so token-service reads them in one go and looks them up together.
    const asked = Array.from({ length: 120 }, (_, i) => [minted[0].token, minted[1].token, revoked.token, generateToken('zapikey')][i % 4]);
    const answers = await Promise.all(asked.map((t) => verify(t)));
    answers.forEach((answer, i) => {
      const token = asked[i];
      const own = minted.find((m) => m.token === token);
      if (own) expect(answer).toEqual({ active: true, tokenId: own.id, userId: user.id, appId: null, scopes: ['ZohoCliq.Messages.READ'] });
      else expect(answer).toEqual({ active: false });
    });
  });

  it('deactivating a user kills all of their tokens at once; reactivating does not revive them', async () => {
    const user = await svc.createUser('leaver@example.com');
    const tokens = [(await mint(user.id, 'a')).body.token, (await mint(user.id, 'b')).body.token];
    for (const t of tokens) expect(await verify(t)).toMatchObject({ active: true });

    const deactivated = await svc.call('POST', `/api/v1/admin/users/${user.id}/deactivate`, { admin: true });
    expect(deactivated.status).toBe(200);
    expect(deactivated.body).toMatchObject({ active: false, deactivated_at: expect.any(String) });
    for (const t of tokens) expect(await verify(t)).toEqual({ active: false });
    expect((await mint(user.id)).body.code).toBe('user_inactive');

    const reactivated = await svc.call('POST', `/api/v1/admin/users/${user.id}/reactivate`, { admin: true });
    expect(reactivated.body).toMatchObject({ active: true, deactivated_at: null });
    for (const t of tokens) expect(await verify(t)).toEqual({ active: false });
    expect(await verify((await mint(user.id)).body.token)).toMatchObject({ active: true });
  });

  it('confirms users and shows them', async () => {
    const user = await svc.createUser('pending@example.com', { confirmed: false });
    expect((await svc.call('GET', `/api/v1/admin/users/${user.id}`, { admin: true })).body.confirmed).toBe(false);
    expect((await svc.call('POST', `/api/v1/admin/users/${user.id}/confirm`, { admin: true })).body.confirmed).toBe(true);
  });

  it('registers, updates and rotates the appkey of an application', async () => {
    const app = await svc.createApplication({ handler_urls: { incoming: 'https://hooks.example.com/in' }, allowed_scopes: ['ZohoCliq.Messages.READ'] });
    expect(app.appkey).toMatch(/^zapp_[0-9A-Za-z]{36}$/);
    expect(app).toMatchObject({ max_tokens_per_user: 5, allowed_scopes: ['ZohoCliq.Messages.READ'], appkey_prefix: app.appkey.slice(0, 9) });
    const stored = await svc.db.query(`SELECT * FROM token.application WHERE id = $1`, [app.id]);
    expect(JSON.stringify(stored)).not.toContain(app.appkey.slice(5));

    const updated = await svc.call('PATCH', `/api/v1/admin/applications/${app.id}`, { admin: true, body: { max_tokens_per_user: 2, name: 'GitLab EU' } });
    expect(updated.body).toMatchObject({ max_tokens_per_user: 2, name: 'GitLab EU' });
    expect((await svc.call('PATCH', `/api/v1/admin/applications/${app.id}`, { admin: true, body: {} })).status).toBe(400);
    expect((await svc.call('PATCH', `/api/v1/admin/applications/${app.id}`, { admin: true, body: { max_tokens_per_user: 0 } })).status).toBe(400);

    const rotated = await svc.call('POST', `/api/v1/admin/applications/${app.id}/appkey/rotate`, { admin: true });
    expect(rotated.status).toBe(201);
    expect(rotated.body.appkey).not.toBe(app.appkey);
    const invoke = (appkey: string) =>
      svc.call('POST', `/api/v2/applications/${app.id}/functions/f/invoke?appkey=${appkey}`, { body: {}, headers: { 'x-owner-key': app.owner_key } });
    expect((await invoke(app.appkey)).status).toBe(401);
    expect((await invoke(rotated.body.appkey)).status).toBe(400); // authenticated; the empty body is what is wrong
    expect((await svc.call('GET', `/api/v1/admin/applications/00000000-0000-4000-8000-000000000000`, { admin: true })).status).toBe(404);
  });

  it('issues an owner key apart from the appkey: each verifies only as itself, and rotation kills the old one', async () => {
    const ownerVerify = async (appId: string, ownerKey: string) => {
      const msg = await nc.request(`${svc.namespace}.${RpcSubjects.ApplicationsVerifyOwner}`, JSON.stringify({ appId, ownerKey }), { timeout: 2000 });
      return (msg.json() as { data: { valid: boolean } }).data;
    };
    const appkeyVerify = async (appId: string, appkey: string) => {
      const msg = await nc.request(`${svc.namespace}.${RpcSubjects.ApplicationsVerify}`, JSON.stringify({ appId, appkey }), { timeout: 2000 });
      return (msg.json() as { data: { valid: boolean } }).data;
    };
    const app = await svc.createApplication();
    expect(app.owner_key).toMatch(/^zapo_[0-9A-Za-z]{36}$/);
    expect(app.owner_key_prefix).toBe(app.owner_key.slice(0, 9));
    expect(JSON.stringify(await svc.db.query(`SELECT * FROM token.application WHERE id = $1`, [app.id]))).not.toContain(app.owner_key.slice(5));
    expect(await ownerVerify(app.id, app.owner_key)).toMatchObject({ valid: true, application: { id: app.id } });
    // Neither key passes for the other.
    expect(await ownerVerify(app.id, app.appkey)).toEqual({ valid: false });
    expect(await appkeyVerify(app.id, app.owner_key)).toEqual({ valid: false });
    const other = await svc.createApplication();
    expect(await ownerVerify(app.id, other.owner_key)).toEqual({ valid: false });

    // An application made before owner keys existed has none and accepts none, until an operator issues one.
    await svc.db.query(`UPDATE token.application SET owner_key_hash = NULL, owner_key_prefix = NULL WHERE id = $1`, [other.id]);
    expect(await ownerVerify(other.id, other.owner_key)).toEqual({ valid: false });
    expect((await svc.call('GET', `/api/v1/admin/applications/${other.id}`, { admin: true })).body.owner_key_prefix).toBeNull();
    const issued = await svc.call('POST', `/api/v1/admin/applications/${other.id}/owner-key/rotate`, { admin: true });
    expect(issued.status).toBe(201);
    expect(await ownerVerify(other.id, issued.body.owner_key)).toMatchObject({ valid: true });

    const rotated = await svc.call('POST', `/api/v1/admin/applications/${app.id}/owner-key/rotate`, { admin: true });
    expect(rotated.body.owner_key).toMatch(/^zapo_/);
    expect(await ownerVerify(app.id, app.owner_key)).toEqual({ valid: false });
    expect(await ownerVerify(app.id, rotated.body.owner_key)).toMatchObject({ valid: true });
    expect(await appkeyVerify(app.id, app.appkey)).toMatchObject({ valid: true }); // the appkey is untouched
    expect((await svc.call('POST', `/api/v1/admin/applications/${app.id}/owner-key/rotate`)).status).toBe(401);
  });

  it('refuses handler URLs that point inside the network, when registered and when changed', async () => {
    for (const url of ['http://169.254.169.254/latest', 'http://[::ffff:10.0.0.1]/', 'http://[2002:7f00:1::1]/', 'http://127.0.0.1:8080/in']) {
      const res = await svc.call('POST', '/api/v1/admin/applications', {
        admin: true,
        body: { name: 'Internal', owner_email: 'dev@example.com', handler_urls: { incoming: url } },
      });
      expect([url, res.status, res.body.code, res.body.details?.[0]?.path]).toEqual([url, 400, 'outbound_url_refused', 'handler_urls.incoming']);
    }
    const app = await svc.createApplication();
    const patched = await svc.call('PATCH', `/api/v1/admin/applications/${app.id}`, {
      admin: true,
      body: { handler_urls: { function: 'http://10.1.2.3/fn' } },
    });
    expect([patched.status, patched.body.code]).toEqual([400, 'outbound_url_refused']);
  });

  it('rejects a missing or wrong admin key with 401', async () => {
    const res = await svc.call('POST', '/api/v1/admin/users', { body: { email: 'x@example.com', display_name: 'X' }, headers: { 'x-admin-key': 'wrong' } });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ code: 'unauthorized', message: 'The X-Admin-Key is not a valid operator key.' });
    expect((await svc.call('GET', '/api/v1/admin/applications/x')).status).toBe(401);
  });

  it('lists every invalid field in one 400', async () => {
    const res = await svc.call('POST', '/api/v1/admin/users', { admin: true, body: { email: 'nope', display_name: '', extra: 1 } });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('invalid_parameters');
    expect(res.body.details.map((d: { path: string }) => d.path).sort()).toEqual(['(root)', 'display_name', 'email']);
  });

  it('answers 400 for malformed JSON and bad ids, 404 for an unknown user, never 500', async () => {
    const malformed = await fetch(`${svc.base}/api/v1/admin/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-admin-key': 'test-admin-key-0123456789abcdef' },
      body: '{"email":',
    });
    expect(malformed.status).toBe(400);
    const unknown = await mint('00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('user_not_found');
    expect((await mint('not-a-uuid')).status).toBe(400);
  });

  it('refuses a second user with the same email (case-insensitive) with 409', async () => {
    await svc.createUser('dup@example.com');
    const res = await svc.call('POST', '/api/v1/admin/users', { admin: true, body: { email: 'DUP@example.com', display_name: 'Dup' } });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('email_taken');
  });

  it('serves health, metrics and the OpenAPI document', async () => {
    expect((await svc.call('GET', '/health/ready')).status).toBe(200);
    const metrics = (await svc.call('GET', '/metrics')).text;
    expect(metrics).toContain('http_request_duration_seconds_bucket');
    expect(metrics).toContain('process_cpu_seconds_total');
    const doc = (await svc.call('GET', '/docs/openapi.json')).body as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/admin/users',
        '/api/v2/applications/{appId}/functions/{name}/invoke',
        '/apiauthtoken/nb/create',
        '/api/v1/tokens/{id}/rotate',
      ]),
    );
  });
});
