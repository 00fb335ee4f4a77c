import { TokenServiceHarness } from '../test/token-service.harness';

const PASSWORD = 'correct horse battery';
const LINES = /^#\n#(Sun|Mon|Tue|Wed|Thu|Fri|Sat) [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} UTC \d{4}\n/;

function properties(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => l.split(/=(.*)/s).slice(0, 2) as [string, string]),
  );
}

describe('legacy authtoken API', () => {
  let svc: TokenServiceHarness;

  beforeAll(async () => {
    svc = await TokenServiceHarness.start({ MAX_AUTHTOKENS_PER_USER: '2', SIGNIN_MAX_FAILURES_PER_ACCOUNT: '3' });
    await svc.createUser('legacy@example.com', { password: PASSWORD });
    await svc.createUser('unconfirmed@example.com', { password: PASSWORD, confirmed: false });
  });

  afterAll(async () => {
    await svc?.stop();
  });

  const create = (form: Record<string, string>) => svc.call('POST', '/apiauthtoken/nb/create', { form });

  it("answers the seed's properties format with a working authtoken", async () => {
    const res = await create({ SCOPE: 'ZohoCliq/webhooks', EMAIL_ID: 'legacy@example.com', PASSWORD, DISPLAY_NAME: 'MailChimp' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(res.text).toMatch(LINES);
    const fields = properties(res.text);
    expect(fields.RESULT).toBe('TRUE');
    expect(fields.AUTHTOKEN).toMatch(/^zaat_[0-9A-Za-z]{36}$/);

    // Accepted everywhere the seeds put it.
    const token = fields.AUTHTOKEN;
    for (const presented of [
      { headers: { authorization: token } },
      { headers: { authorization: `Zoho-oauthtoken ${token}` } },
      { headers: { authorization: `Bearer ${token}` } },
      { query: `?authtoken=${token}` },
      { query: `?zapikey=${token}` },
    ]) {
      const answer = await svc.call('GET', `/api/v1/tokens/current${presented.query ?? ''}`, { headers: presented.headers });
      expect(answer.status).toBe(200);
      expect(answer.body.scopes).toEqual(['ZohoCliq.Webhooks.CREATE']); // the legacy service scope, mapped onto the catalogue
    }
  });

  it("maps the legacy SCOPE onto the catalogue, and refuses another Zoho service's scope", async () => {
    await svc.createUser('scopes@example.com', { password: PASSWORD });
    const all = properties((await create({ SCOPE: 'ZohoCliq/cliqapi', EMAIL_ID: 'scopes@example.com', PASSWORD, DISPLAY_NAME: 'all' })).text);
    const current = await svc.call('GET', '/api/v1/tokens/current', { headers: { authorization: all.AUTHTOKEN } });
    expect(current.body.scopes).toEqual(expect.arrayContaining(['ZohoCliq.Webhooks.CREATE', 'ZohoCliq.Messages.READ', 'Zapgate.Subscriptions.ALL']));
    const crm = await create({ SCOPE: 'ZohoCRM/crmapi', EMAIL_ID: 'scopes@example.com', PASSWORD, DISPLAY_NAME: 'crm' });
    expect([crm.status, properties(crm.text)]).toEqual([200, { CAUSE: 'INVALID_SCOPE', RESULT: 'FALSE' }]);
  });

  it('says INVALID_CREDENTIALS alike for an unknown user and a wrong password', async () => {
    const unknown = await create({ SCOPE: 'ZohoCliq/webhooks', EMAIL_ID: 'nobody@example.com', PASSWORD: 'whatever-pass', DISPLAY_NAME: 'x' });
    const wrong = await create({ SCOPE: 'ZohoCliq/webhooks', EMAIL_ID: 'legacy@example.com', PASSWORD: 'wrong-password', DISPLAY_NAME: 'x' });
    for (const res of [unknown, wrong]) {
      expect(res.status).toBe(200);
      expect(properties(res.text)).toEqual({ CAUSE: 'INVALID_CREDENTIALS', RESULT: 'FALSE' });
    }
  });

  it('says ACCOUNT_REGISTRATION_NOT_CONFIRMED only after the password checked out', async () => {
    const wrong = await create({ SCOPE: 'ZohoCliq/webhooks', EMAIL_ID: 'unconfirmed@example.com', PASSWORD: 'wrong-password', DISPLAY_NAME: 'x' });
    expect(properties(wrong.text).CAUSE).toBe('INVALID_CREDENTIALS');
    const right = await create({ SCOPE: 'ZohoCliq/webhooks', EMAIL_ID: 'unconfirmed@example.com', PASSWORD, DISPLAY_NAME: 'x' });
    expect(properties(right.text)).toEqual({ CAUSE: 'ACCOUNT_REGISTRATION_NOT_CONFIRMED', RESULT: 'FALSE' });
  });

  it('stops at the per-user limit with EXCEEDED_MAXIMUM_ALLOWED_AUTHTOKENS', async () => {
    await svc.createUser('limit@example.com', { password: PASSWORD });
    const results: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await create({ SCOPE: 'ZohoCliq/webhooks', EMAIL_ID: 'limit@example.com', PASSWORD, DISPLAY_NAME: `app${i}` });
      results.push(properties(res.text).CAUSE ?? properties(res.text).RESULT);
    }
    expect(results).toEqual(['TRUE', 'TRUE', 'EXCEEDED_MAXIMUM_ALLOWED_AUTHTOKENS']);
  });

  it('refuses missing fields with 400 and INVALID_PARAMETERS', async () => {
    const res = await create({ SCOPE: 'ZohoCliq/webhooks', EMAIL_ID: 'legacy@example.com' });
    expect(res.status).toBe(400);
    expect(properties(res.text)).toEqual({ CAUSE: 'INVALID_PARAMETERS', RESULT: 'FALSE' });
  });

  it('refuses the GET form (password in the URL) unless an operator turns it on', async () => {
    for (const path of [
      `/crm/apiauthtoken.do?EMAIL_ID=legacy@example.com&PASSWORD=${encodeURIComponent(PASSWORD)}`,
      `/apiauthtoken/nb/create?SCOPE=ZohoCliq/webhooks&EMAIL_ID=legacy@example.com&PASSWORD=${encodeURIComponent(PASSWORD)}`,
    ]) {
      for (const method of ['GET', 'POST']) {
        const res = await svc.call(method, path);
        expect(res.status).toBe(403);
        expect(properties(res.text)).toEqual({ CAUSE: 'PASSWORD_IN_URL_NOT_ALLOWED', RESULT: 'FALSE' });
      }
    }
  });

  it('deletes an authtoken with deleteapiauthtoken.do', async () => {
    const created = properties((await create({ SCOPE: 'ZohoCliq/webhooks', EMAIL_ID: 'legacy@example.com', PASSWORD, DISPLAY_NAME: 'del' })).text);
    const deleted = await svc.call('GET', `/crm/deleteapiauthtoken.do?crmauthtoken=${created.AUTHTOKEN}`);
    expect(properties(deleted.text)).toEqual({ RESULT: 'TRUE' });
    expect((await svc.call('GET', '/api/v1/tokens/current', { headers: { authorization: created.AUTHTOKEN } })).status).toBe(401);
    const again = await svc.call('POST', `/crm/deleteapiauthtoken.do?crmauthtoken=${created.AUTHTOKEN}`);
    expect(properties(again.text)).toEqual({ CAUSE: 'INVALID_AUTHTOKEN', RESULT: 'FALSE' });
  });

  it('locks an account after repeated failures, even for the right password, with 429 and Retry-After', async () => {
    await svc.createUser('target@example.com', { password: PASSWORD });
    for (let i = 0; i < 3; i++) await create({ SCOPE: 'ZohoCliq/webhooks', EMAIL_ID: 'target@example.com', PASSWORD: `guess-${i}-wrong`, DISPLAY_NAME: 'x' });
    const locked = await create({ SCOPE: 'ZohoCliq/webhooks', EMAIL_ID: 'target@example.com', PASSWORD, DISPLAY_NAME: 'x' });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(properties(locked.text)).toEqual({ CAUSE: 'RATE_LIMIT_EXCEEDED', RESULT: 'FALSE' });
    // Another account from the same address is not locked by this one's failures.
    expect(properties((await create({ SCOPE: 'ZohoCliq/webhooks', EMAIL_ID: 'legacy@example.com', PASSWORD, DISPLAY_NAME: 'y' })).text).RESULT).toBe('TRUE');
  });
});

describe('legacy authtoken API with LEGACY_AUTHTOKEN_GET_ENABLED', () => {
  let svc: TokenServiceHarness;

  beforeAll(async () => {
    svc = await TokenServiceHarness.start({ LEGACY_AUTHTOKEN_GET_ENABLED: 'true' });
    await svc.createUser('getter@example.com', { password: PASSWORD });
  });

  afterAll(async () => {
    await svc?.stop();
  });

  it('serves the GET form and keeps the password out of the log', async () => {
    const res = await svc.call('GET', `/crm/apiauthtoken.do?EMAIL_ID=getter@example.com&PASSWORD=${encodeURIComponent(PASSWORD)}`);
    expect(properties(res.text).RESULT).toBe('TRUE');
    await new Promise((r) => setTimeout(r, 100));
    expect(svc.logs.text()).toContain('/crm/apiauthtoken.do?EMAIL_ID=getter@example.com&PASSWORD=[redacted]');
    expect(svc.logs.text()).not.toContain('correct horse');
  });
});
