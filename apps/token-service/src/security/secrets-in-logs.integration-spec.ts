import { connectTestNats } from '@zapgate/testing';
import type { NatsConnection, Subscription } from 'nats';
import { ADMIN_KEY, PEPPER, TokenServiceHarness } from '../test/token-service.harness';

const PASSWORD = 'p4ssw0rd-that-must-never-be-logged';

/**
 * Mints every kind of secret, drives every path (success and failure), then
 * searches everything the service wrote — log lines, error bodies, events —
 * for any of them.
 */
describe('no secret in any log line, error body or event', () => {
  let svc: TokenServiceHarness;
  let nc: NatsConnection;
  let sub: Subscription;
  const events: string[] = [];
  const errorBodies: string[] = [];
  const secrets = new Set<string>([PASSWORD, ADMIN_KEY, PEPPER, 'wrong-password-also-secret']);

  beforeAll(async () => {
    svc = await TokenServiceHarness.start({ LOG_LEVEL: 'trace', LEGACY_AUTHTOKEN_GET_ENABLED: 'true' });
    nc = await connectTestNats();
    sub = nc.subscribe(`${svc.namespace}.zapgate.>`, { callback: (_, msg) => events.push(msg.string()) });
  });

  afterAll(async () => {
    sub?.unsubscribe();
    await nc?.close();
    await svc?.stop();
  });

  async function call(method: string, path: string, options: Parameters<TokenServiceHarness['call']>[2] = {}) {
    const res = await svc.call(method, path, options);
    if (res.status >= 400) errorBodies.push(res.text);
    return res;
  }

  it('exercises every path', async () => {
    const user = (await call('POST', '/api/v1/admin/users', { admin: true, body: { email: 'sec@example.com', display_name: 'S', password: PASSWORD } })).body;
    const app = (await call('POST', '/api/v1/admin/applications', { admin: true, body: { name: 'App', owner_email: 'dev@example.com' } })).body;
    secrets.add(app.appkey);
    const rotatedAppkey = (await call('POST', `/api/v1/admin/applications/${app.id}/appkey/rotate`, { admin: true })).body.appkey;
    secrets.add(rotatedAppkey);
    secrets.add(app.owner_key);
    const ownerKey = (await call('POST', `/api/v1/admin/applications/${app.id}/owner-key/rotate`, { admin: true, headers: { 'x-owner-key': app.owner_key } }))
      .body.owner_key;
    secrets.add(ownerKey);

    const button = {
      label: 'Connect',
      type: '+',
      action: { type: 'invoke.function', data: { name: 'f' }, confirm: { title: 'T', description: 'D', input: { type: 'user_webhook_token' } } },
    };
    const invoked = await call('POST', `/api/v2/applications/${app.id}/functions/f/invoke?appkey=${rotatedAppkey}`, {
      headers: { 'x-owner-key': ownerKey },
      body: { user: { id: '1', email: 'sec@example.com' }, button },
    });
    secrets.add(invoked.body.slides[0].data[0].Token);
    await call('POST', `/api/v2/applications/${app.id}/functions/f/invoke?appkey=${app.appkey}`, {
      body: { user: { id: '1', email: 'sec@example.com' }, button },
    });
    await call('POST', `/api/v2/applications/${app.id}/functions/f/invoke`, {
      headers: { 'x-appkey': rotatedAppkey, 'x-owner-key': ownerKey },
      body: { button: { ...button, label: '' } },
    });
    await call('POST', `/api/v2/applications/${app.id}/functions/f/invoke`, {
      headers: { 'x-appkey': rotatedAppkey, 'x-owner-key': app.owner_key },
      body: { button },
    });

    const adminMinted = (await call('POST', `/api/v1/admin/users/${user.id}/tokens`, { admin: true, body: { name: 'adm' } })).body.token;
    secrets.add(adminMinted);

    const legacy = await call('POST', '/apiauthtoken/nb/create', {
      form: { SCOPE: 'ZohoCliq/webhooks', EMAIL_ID: 'sec@example.com', PASSWORD, DISPLAY_NAME: 'd' },
    });
    const authtoken = /AUTHTOKEN=(\S+)/.exec(legacy.text)![1];
    secrets.add(authtoken);
    const legacyGet = await call('GET', `/crm/apiauthtoken.do?EMAIL_ID=sec@example.com&PASSWORD=${encodeURIComponent(PASSWORD)}`);
    secrets.add(/AUTHTOKEN=(\S+)/.exec(legacyGet.text)![1]);
    await call('POST', '/apiauthtoken/nb/create', {
      form: { SCOPE: 'ZohoCliq/webhooks', EMAIL_ID: 'sec@example.com', PASSWORD: 'wrong-password-also-secret', DISPLAY_NAME: 'd' },
    });

    const session = (await call('POST', '/api/v1/sessions', { body: { email: 'sec@example.com', password: PASSWORD } })).body.session_token;
    secrets.add(session);
    await call('POST', '/api/v1/sessions', { body: { email: 'sec@example.com', password: 'wrong-password-also-secret' } });

    const personal = (await call('POST', '/api/v1/tokens', { session, body: { name: 'p' } })).body;
    secrets.add(personal.token);
    const rotated = (await call('POST', `/api/v1/tokens/${personal.id}/rotate`, { session, body: { grace_period_seconds: 60 } })).body;
    secrets.add(rotated.token);
    const rotatedAgain = (await call('POST', `/api/v1/tokens/${rotated.id}/rotate`, { session, body: {} })).body;
    secrets.add(rotatedAgain.token);

    for (const headers of [
      { authorization: authtoken },
      { authorization: `Bearer ${adminMinted}` },
      { authorization: `Zoho-oauthtoken ${rotatedAgain.token}` },
    ]) {
      await call('GET', '/api/v1/tokens/current', { headers });
    }
    await call('GET', `/api/v1/tokens/current?zapikey=${adminMinted}&authtoken=${authtoken}`);
    await call('GET', `/api/v1/tokens/current?zapikey=${adminMinted}x`);
    await call('GET', '/api/v1/tokens/current', { headers: { authorization: `Bearer ${session}` } });
    await call('GET', `/api/v1/tokens/${rotatedAgain.id}/usage?window=7d`, { session });
    await call('GET', '/api/v1/tokens', { session: `${session}x` });
    await call('DELETE', `/api/v1/tokens/${rotatedAgain.id}`, { session });
    await call('GET', `/crm/deleteapiauthtoken.do?crmauthtoken=${authtoken}`);
    await call('POST', `/api/v1/admin/users/${user.id}/deactivate`, { admin: true });
    await call('POST', '/api/v1/admin/users', { headers: { 'x-admin-key': `${ADMIN_KEY}-wrong` }, body: {} });
    await new Promise((r) => setTimeout(r, 300));

    expect(svc.logs.lines.length).toBeGreaterThan(40);
    expect(errorBodies.length).toBeGreaterThan(5);
    expect(events.length).toBeGreaterThanOrEqual(3); // revocations and the deactivation
    expect(secrets.size).toBeGreaterThanOrEqual(13);
  });

  it('finds none of the secrets in the log, the error bodies or the events', () => {
    const haystacks = { logs: svc.logs.text(), errors: errorBodies.join('\n'), events: events.join('\n') };
    const leaks = [...secrets].flatMap((secret) =>
      Object.entries(haystacks)
        .filter(([, text]) => text.includes(secret) || text.includes(encodeURIComponent(secret)))
        .map(([where]) => `${where}: ${secret.slice(0, 9)}…`),
    );
    expect(leaks).toEqual([]);
  });
});
