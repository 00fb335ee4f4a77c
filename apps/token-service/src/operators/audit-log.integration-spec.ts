import { TokenServiceHarness } from '../test/token-service.harness';

const PASSWORD = 'correct horse battery';
const button = {
  label: 'Connect',
  type: '+',
  action: { type: 'invoke.function', data: { name: 'connect' }, confirm: { title: 'T', description: 'D', input: { type: 'user_webhook_token' } } },
};

describe('audit log of token-service (real PostgreSQL + NATS)', () => {
  let svc: TokenServiceHarness;

  beforeAll(async () => {
    svc = await TokenServiceHarness.start();
  });

  afterAll(async () => {
    await svc?.stop();
  });

  const audit = async (query: string, key?: string) => {
    const res = await svc.call('GET', `/api/v1/token-service/audit?${query}`, key ? { headers: { 'x-admin-key': key } } : { admin: true });
    expect(res.status).toBe(200);
    return res.body.data as {
      action: string;
      actor: { type: string; id: string; name: string | null };
      target: { type: string; id: string };
      ip: string;
      at: string;
    }[];
  };

  it('records who did what to which user, application, token and key, from where, and never a secret', async () => {
    const alice = (await svc.call('POST', '/api/v1/admin/operator-keys', { admin: true, body: { name: 'alice', role: 'operator' } })).body;
    const asAlice = { headers: { 'x-admin-key': alice.key } };
    const user = (await svc.call('POST', '/api/v1/admin/users', { ...asAlice, body: { email: 'audited@example.com', display_name: 'A', password: PASSWORD } }))
      .body;
    const minted = (await svc.call('POST', `/api/v1/admin/users/${user.id}/tokens`, { ...asAlice, body: { name: 'ci' } })).body;
    expect((await svc.call('DELETE', `/api/v1/admin/tokens/${minted.id}`, asAlice)).status).toBe(204);

    expect(await audit(`target_type=token&target_id=${minted.id}`)).toEqual([
      expect.objectContaining({ action: 'token.revoked', actor: { type: 'operator', id: alice.id, name: 'alice' }, target: { type: 'token', id: minted.id } }),
      expect.objectContaining({ action: 'token.created', actor: { type: 'operator', id: alice.id, name: 'alice' } }),
    ]);
    const [created] = await audit(`action=user.created&target_id=${user.id}`);
    expect(created.ip).toMatch(/127\.0\.0\.1/);

    // A signed-in user, an application's owner and the legacy API are actors too.
    const session = await svc.signIn('audited@example.com', PASSWORD);
    const own = (await svc.call('POST', '/api/v1/tokens', { session, body: { name: 'mine' } })).body;
    expect((await audit(`target_id=${own.id}`))[0]).toMatchObject({ action: 'token.created', actor: { type: 'user', id: user.id } });
    const app = await svc.createApplication();
    await svc.call('POST', `/api/v2/applications/${app.id}/functions/connect/invoke?appkey=${app.appkey}`, {
      headers: { 'x-owner-key': app.owner_key },
      body: { user: { id: '1', email: 'audited@example.com' }, button },
    });
    expect((await audit(`action=token.created_by_button&target_id=${app.id}`))[0].actor).toMatchObject({ type: 'owner', id: app.id });
    await svc.call('POST', '/apiauthtoken/nb/create', {
      form: { SCOPE: 'ZohoCliq/webhooks', EMAIL_ID: 'audited@example.com', PASSWORD, DISPLAY_NAME: 'old client' },
    });
    expect((await audit(`actor_id=${user.id}&action=token.created`)).map((e) => e.actor.name)).toContain('legacy authtoken API');

    await svc.call('DELETE', `/api/v1/admin/operator-keys/${alice.id}`, { admin: true });
    expect((await audit(`target_type=operator_key&target_id=${alice.id}`)).map((e) => [e.action, e.actor.id])).toEqual([
      ['operator_key.revoked', 'bootstrap'],
      ['operator_key.created', 'bootstrap'],
    ]);
    const everything = JSON.stringify(await svc.db.query(`SELECT * FROM token.audit_event`));
    for (const secret of [alice.key, minted.token, own.token, app.appkey, app.owner_key, PASSWORD]) expect(everything).not.toContain(secret);
  });

  it('is readable by a read-only key, a page at a time, and by no one without a key', async () => {
    const reader = (await svc.call('POST', '/api/v1/admin/operator-keys', { admin: true, body: { name: 'auditor', role: 'read-only' } })).body.key;
    const first = await svc.call('GET', '/api/v1/token-service/audit?limit=2', { headers: { 'x-admin-key': reader } });
    expect([first.status, first.body.data.length]).toEqual([200, 2]);
    const second = await svc.call('GET', `/api/v1/token-service/audit?limit=2&cursor=${first.body.next_cursor}`, { headers: { 'x-admin-key': reader } });
    expect(Number(second.body.data[0].id)).toBeLessThan(Number(first.body.data[1].id));
    expect((await svc.call('GET', '/api/v1/token-service/audit')).status).toBe(401);
    expect((await svc.call('GET', '/api/v1/token-service/audit?from=yesterday', { admin: true })).status).toBe(400);
    // Refused actions are not recorded as done.
    const before = (await audit('action=user.created')).length;
    await svc.call('POST', '/api/v1/admin/users', { headers: { 'x-admin-key': reader }, body: { email: 'no@example.com', display_name: 'N' } });
    expect((await audit('action=user.created')).length).toBe(before);
  });
});
