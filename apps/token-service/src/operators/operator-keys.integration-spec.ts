import { TokenServiceHarness } from '../test/token-service.harness';

describe('named operator keys with roles (real PostgreSQL + NATS)', () => {
  let svc: TokenServiceHarness;

  beforeAll(async () => {
    svc = await TokenServiceHarness.start();
  });

  afterAll(async () => {
    await svc?.stop();
  });

  const create = (role: string, name = `${role} key`, key?: string) =>
    svc.call('POST', '/api/v1/admin/operator-keys', key ? { headers: { 'x-admin-key': key }, body: { name, role } } : { admin: true, body: { name, role } });
  const as = (key: string) => (method: string, path: string, body?: unknown) => svc.call(method, path, { headers: { 'x-admin-key': key }, body });
  const until = async (probe: () => Promise<boolean>, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await probe())) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  it('issues keys shown once and stored as keyed hashes', async () => {
    const res = await create('read-only');
    expect(res.status).toBe(201);
    expect(res.body.key).toMatch(/^zaok_[0-9A-Za-z]{36}$/);
    expect(res.body).toMatchObject({ role: 'read-only', prefix: res.body.key.slice(0, 9), created_by: 'bootstrap' });
    expect(JSON.stringify(await svc.db.query(`SELECT * FROM token.operator_key`))).not.toContain(res.body.key.slice(5));
    const listed = await svc.call('GET', '/api/v1/admin/operator-keys', { admin: true });
    expect(JSON.stringify(listed.body)).not.toContain(res.body.key);
    expect((await create('root')).status).toBe(400);
  });

  it('lets a read-only key read, an operator key act, and only an admin key manage keys', async () => {
    const readOnly = as((await create('read-only')).body.key);
    const operator = as((await create('operator')).body.key);
    const admin = (await create('admin')).body;

    expect((await readOnly('GET', '/api/v1/admin/users')).status).toBe(200);
    const refused = await readOnly('POST', '/api/v1/admin/users', { email: 'ro@example.com', display_name: 'RO' });
    expect([refused.status, refused.body.code]).toEqual([403, 'access_denied']);

    expect((await operator('POST', '/api/v1/admin/users', { email: 'op@example.com', display_name: 'Op' })).status).toBe(201);
    expect((await operator('GET', '/api/v1/admin/operator-keys')).status).toBe(403);
    expect((await create('admin', 'escalate', (await create('operator')).body.key)).status).toBe(403);

    const made = await create('operator', 'made by a named admin', admin.key);
    expect([made.status, made.body.created_by]).toEqual([201, admin.id]);
    // An owner's routes accept an operator key within its role too.
    const app = await svc.createApplication();
    expect((await readOnly('GET', `/api/v1/applications/${app.id}/tokens`)).status).toBe(200);
  });

  it('refuses a revoked, unknown or malformed key with 401', async () => {
    const key = (await create('operator')).body;
    const use = as(key.key);
    expect((await use('GET', '/api/v1/admin/users')).status).toBe(200);
    expect((await svc.call('DELETE', `/api/v1/admin/operator-keys/${key.id}`, { admin: true })).status).toBe(204);
    await until(async () => (await use('GET', '/api/v1/admin/users')).status === 401);
    expect((await svc.call('DELETE', `/api/v1/admin/operator-keys/${key.id}`, { admin: true })).status).toBe(204); // already revoked: fine
    expect((await svc.call('DELETE', `/api/v1/admin/operator-keys/00000000-0000-4000-8000-000000000000`, { admin: true })).status).toBe(404);
    for (const wrong of ['zaok_' + 'A'.repeat(36), 'nonsense', key.key.slice(0, -1)]) {
      expect((await as(wrong)('GET', '/api/v1/admin/users')).status).toBe(401);
    }
    const listed = await svc.call('GET', '/api/v1/admin/operator-keys?include_revoked=true', { admin: true });
    expect(listed.body.data.find((k: { id: string }) => k.id === key.id).revoked_at).not.toBeNull();
  });
});
