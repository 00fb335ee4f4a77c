import { TokenServiceHarness } from '../test/token-service.harness';

const button = (name = 'authenticate') => ({
  label: 'Create Webhook',
  type: '+',
  action: {
    type: 'invoke.function',
    data: { name, owner: 'dev@example.com' },
    confirm: {
      title: 'Generate Webhooks for a GitLab Project',
      description: 'Connect to GitLab Projects from within Cliq',
      input: { type: 'user_webhook_token' },
    },
  },
});
const cliqUser = { id: '123456', email: 'Scott.Fisher@zylcal.com', first_name: 'Scott', last_name: 'Fisher', admin: true, organization_id: '1' };

describe('token generation button (extension invoke callback)', () => {
  let svc: TokenServiceHarness;
  let app: { id: string; appkey: string; owner_key: string };

  beforeAll(async () => {
    svc = await TokenServiceHarness.start({ PUBLIC_INGEST_URL: 'https://zapgate.example.com' });
    app = await svc.createApplication({ max_tokens_per_user: 2, allowed_scopes: ['ZohoCliq.Messages.READ'] });
  });

  afterAll(async () => {
    await svc?.stop();
  });

  /** As the extension's server calls it: its owner key, and the appkey that goes into the webhook URL. */
  const invoke = (body: unknown, options: { name?: string; appkey?: string; viaHeader?: boolean; ownerKey?: string | null } = {}) => {
    const name = options.name ?? 'authenticate';
    const appkey = options.appkey ?? app.appkey;
    const owner: Record<string, string> = options.ownerKey === null ? {} : { 'x-owner-key': options.ownerKey ?? app.owner_key };
    return options.viaHeader
      ? svc.call('POST', `/api/v2/applications/${app.id}/functions/${name}/invoke`, { body, headers: { 'x-appkey': appkey, ...owner } })
      : svc.call('POST', `/api/v2/applications/${app.id}/functions/${name}/invoke?appkey=${appkey}`, { body, headers: owner });
  };

  it('mints a ZAPI key for the user and shows it once with the incoming-webhook URL', async () => {
    const res = await invoke({ user: cliqUser, button: button(), chat: { id: 'CT_1', type: 'bot' } });
    expect(res.status).toBe(200);
    const message = res.body as { text: string; card: { title: string; theme: string }; slides: { type: string; data: unknown }[] };
    expect(message.card).toEqual({ title: 'Generate Webhooks for a GitLab Project', theme: 'modern-inline' });
    const token = (message.slides[0].data as Record<string, string>[])[0].Token;
    expect(token).toMatch(/^zapk_[0-9A-Za-z]{36}$/);
    const url = new URL(message.slides[1].data as string);
    expect(url.origin + url.pathname).toBe(`https://zapgate.example.com/api/v2/applications/${app.id}/incoming`);
    expect(url.searchParams.get('zapikey')).toBe(token);
    expect(url.searchParams.get('appkey')).toBe(app.appkey);

    // The user was provisioned from the Cliq user object, and the token belongs to them and this application.
    const introspect = await svc.call('GET', '/api/v1/tokens/current', { headers: { authorization: token } });
    expect(introspect.body).toMatchObject({ application_id: app.id, scopes: ['ZohoCliq.Messages.READ'] });
    const [user] = await svc.db.query<{ email: string; display_name: string }>(`SELECT email, display_name FROM token."user" WHERE id = $1`, [
      introspect.body.user_id,
    ]);
    expect(user).toEqual({ email: 'scott.fisher@zylcal.com', display_name: 'Scott Fisher' });
  });

  it('accepts the appkey in the X-Appkey header too', async () => {
    const other = { ...cliqUser, email: 'header@zylcal.com' };
    expect((await invoke({ user: other, button: button() }, { viaHeader: true })).status).toBe(200);
  });

  it('stops at the per-user limit with EXCEEDED_MAXIMUM_ALLOWED_AUTHTOKENS, also under concurrent clicks', async () => {
    const user = { ...cliqUser, email: 'busy@zylcal.com' };
    const answers = await Promise.all(Array.from({ length: 6 }, () => invoke({ user, button: button() })));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(2);
    const refused = answers.filter((a) => a.status !== 200);
    expect(refused).toHaveLength(4);
    for (const r of refused) expect(r).toMatchObject({ status: 409, body: { code: 'EXCEEDED_MAXIMUM_ALLOWED_AUTHTOKENS' } });
  });

  it('lists every violation of the button and the user object in one 400', async () => {
    const res = await invoke({
      user: { id: '1', email: 'nope' },
      button: {
        label: 'x'.repeat(21),
        type: '*',
        hint: 'h'.repeat(101),
        action: { type: 'open.url', data: { name: 'other' }, confirm: { title: 't', description: 'd', input: { type: 'text' } } },
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('invalid_parameters');
    expect(res.body.details.map((d: { path: string }) => d.path).sort()).toEqual([
      'button.action.confirm.input.type',
      'button.action.data.name',
      'button.action.type',
      'button.hint',
      'button.label',
      'button.type',
      'user.email',
    ]);
  });

  it('refuses a button whose function name is not the invoked one', async () => {
    const res = await invoke({ user: cliqUser, button: button('something-else') });
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([{ path: 'button.action.data.name', message: "must be the invoked function's name ('authenticate')" }]);
  });

  it('answers the same 401 for a wrong appkey, a missing one and an unknown application', async () => {
    const body = { user: cliqUser, button: button() };
    for (const res of [
      await invoke(body, { appkey: 'zapp_wrong' }),
      await svc.call('POST', `/api/v2/applications/${app.id}/functions/authenticate/invoke`, { body }),
      await svc.call('POST', `/api/v2/applications/00000000-0000-4000-8000-000000000000/functions/authenticate/invoke?appkey=${app.appkey}`, { body }),
      await svc.call('POST', `/api/v2/applications/not-a-uuid/functions/authenticate/invoke?appkey=${app.appkey}`, { body }),
    ]) {
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('invalid_appkey');
    }
  });

  it("refuses to mint with the appkey alone: every user has it, and could mint another user's token", async () => {
    const victim = { ...cliqUser, email: 'victim@zylcal.com' };
    const byAppkey = await invoke({ user: victim, button: button() }, { ownerKey: null });
    expect([byAppkey.status, byAppkey.body.code]).toEqual([401, 'owner_key_required']);
    expect(JSON.stringify(byAppkey.body)).not.toMatch(/zapk_/);
    const other = await svc.createApplication();
    expect((await invoke({ user: victim, button: button() }, { ownerKey: other.owner_key })).body.code).toBe('owner_key_required');
    expect((await invoke({ user: victim, button: button() }, { ownerKey: app.appkey })).body.code).toBe('owner_key_required');
    expect(await svc.db.query(`SELECT 1 FROM token."user" WHERE email = 'victim@zylcal.com'`)).toEqual([]);
  });

  it('refuses to mint for a deactivated user', async () => {
    const user = await svc.createUser('gone@zylcal.com');
    await svc.call('POST', `/api/v1/admin/users/${user.id}/deactivate`, { admin: true });
    const res = await invoke({ user: { ...cliqUser, email: 'gone@zylcal.com' }, button: button() });
    expect(res).toMatchObject({ status: 403, body: { code: 'user_inactive' } });
  });

  describe('POST /api/v2/buttons/validate', () => {
    it('accepts a valid button or a list of them', async () => {
      expect((await svc.call('POST', '/api/v2/buttons/validate', { body: button() })).body).toEqual({ valid: true, buttons: 1 });
      expect((await svc.call('POST', '/api/v2/buttons/validate', { body: [button(), button('b')] })).body).toEqual({ valid: true, buttons: 2 });
    });

    it('names every violation, with the index of the button in a list', async () => {
      const res = await svc.call('POST', '/api/v2/buttons/validate', { body: [button(), { ...button(), label: '' }, { ...button(), type: 'x' }] });
      expect(res.status).toBe(400);
      expect(res.body.details.map((d: { path: string }) => d.path)).toEqual(['[1].label', '[2].type']);
    });

    it('refuses more than 5 buttons and non-objects', async () => {
      expect((await svc.call('POST', '/api/v2/buttons/validate', { body: Array.from({ length: 6 }, () => button()) })).status).toBe(400);
      expect((await svc.call('POST', '/api/v2/buttons/validate', { body: 'text' })).status).toBe(400);
    });
  });
});
