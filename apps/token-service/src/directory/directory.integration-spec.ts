import { RpcSubjects } from '@zapgate/contracts';
import { connectTestNats } from '@zapgate/testing';
import type { NatsConnection } from 'nats';
import { TokenServiceHarness } from '../test/token-service.harness';

const button = {
  label: 'Connect',
  type: '+',
  action: { type: 'invoke.function', data: { name: 'connect' }, confirm: { title: 'T', description: 'D', input: { type: 'user_webhook_token' } } },
};

describe('operators and owners manage tokens (real PostgreSQL + NATS)', () => {
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

  const active = async (token: string) => {
    const msg = await nc.request(`${svc.namespace}.${RpcSubjects.TokensVerify}`, JSON.stringify({ token }), { timeout: 2000 });
    return (msg.json() as { data: { active: boolean } }).data.active;
  };
  /** A user made by an extension's token button: no password, so no session to manage tokens with. */
  const buttonToken = async (app: { id: string; appkey: string; owner_key: string }, email: string) => {
    const res = await svc.call('POST', `/api/v2/applications/${app.id}/functions/connect/invoke?appkey=${app.appkey}`, {
      headers: { 'x-owner-key': app.owner_key },
      body: { user: { id: '1', email }, button },
    });
    expect(res.status).toBe(200);
    const token = res.body.slides[0].data[0].Token as string;
    const current = await svc.call('GET', '/api/v1/tokens/current', { headers: { authorization: token } });
    return { token, id: current.body.token_id as string, userId: current.body.user_id as string };
  };
  /** Every row of a listing, a page of `limit` at a time. */
  const everyPage = async (path: string, limit: number, headers: Record<string, string> = {}) => {
    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const sep = path.includes('?') ? '&' : '?';
      const res: { status: number; body: any } = await svc.call('GET', `${path}${sep}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, {
        admin: !headers['x-owner-key'],
        headers,
      });
      expect(res.status).toBe(200);
      ids.push(...res.body.data.map((r: { id: string }) => r.id));
      cursor = res.body.next_cursor;
      pages++;
    } while (cursor && pages < 50);
    return ids;
  };

  it('lets an operator list, revoke and rotate any token, a page at a time', async () => {
    const user = await svc.createUser('many@example.com');
    const minted: string[] = [];
    for (let i = 0; i < 5; i++) {
      minted.push((await svc.call('POST', `/api/v1/admin/users/${user.id}/tokens`, { admin: true, body: { name: `t${i}` } })).body.id);
    }
    // Same millisecond, different microseconds: a cursor truncated to milliseconds must not skip any of them.
    await svc.db.query(
      `UPDATE token.token SET created_at = '2026-01-01T00:00:00.123000Z'::timestamptz + (ord * interval '1 microsecond')
         FROM (SELECT id, row_number() OVER () AS ord FROM token.token WHERE user_id = $1) o WHERE token.token.id = o.id`,
      [user.id],
    );
    const listed = await everyPage(`/api/v1/admin/tokens?user_id=${user.id}`, 2);
    expect(listed).toHaveLength(5);
    expect(new Set(listed)).toEqual(new Set(minted));

    const app = await svc.createApplication();
    const held = await buttonToken(app, 'button-user@example.com');
    expect(await active(held.token)).toBe(true);
    // Revoked by the operator with the admin key alone; the user has no password and no session.
    expect((await svc.call('DELETE', `/api/v1/admin/tokens/${held.id}`, { admin: true })).status).toBe(204);
    expect(await active(held.token)).toBe(false);
    const revoked = await svc.call('GET', `/api/v1/admin/tokens?user_id=${held.userId}&status=revoked`, { admin: true });
    expect(revoked.body.data.map((t: { id: string }) => t.id)).toEqual([held.id]);

    const other = await buttonToken(app, 'button-user@example.com');
    const rotated = await svc.call('POST', `/api/v1/admin/tokens/${other.id}/rotate`, { admin: true, body: {} });
    expect(rotated.status).toBe(201);
    expect([await active(other.token), await active(rotated.body.token)]).toEqual([false, true]);

    expect((await svc.call('DELETE', `/api/v1/admin/tokens/${held.id}`)).status).toBe(401);
    expect((await svc.call('DELETE', `/api/v1/admin/tokens/00000000-0000-4000-8000-000000000000`, { admin: true })).status).toBe(404);
    const badCursor = await svc.call('GET', '/api/v1/admin/tokens?cursor=nonsense', { admin: true });
    expect([badCursor.status, badCursor.body.details?.[0]?.path]).toEqual([400, 'cursor']);
    expect((await svc.call('GET', '/api/v1/admin/tokens?status=sleeping', { admin: true })).status).toBe(400);
  });

  it('lists users by e-mail and state, and applications, a page at a time', async () => {
    for (const email of ['find-me-1@example.com', 'find-me-2@example.com', 'find-me-3@example.com']) await svc.createUser(email);
    const found = await everyPage('/api/v1/admin/users?email=FIND-ME', 2);
    expect(found).toHaveLength(3);
    const gone = await svc.createUser('find-me-gone@example.com');
    await svc.call('POST', `/api/v1/admin/users/${gone.id}/deactivate`, { admin: true });
    expect((await svc.call('GET', '/api/v1/admin/users?email=find-me&active=false', { admin: true })).body.data.map((u: { id: string }) => u.id)).toEqual([
      gone.id,
    ]);
    expect((await svc.call('GET', '/api/v1/admin/users?email=%25', { admin: true })).body.data).toEqual([]); // LIKE wildcards are literal

    const apps = await Promise.all([svc.createApplication(), svc.createApplication()]);
    const listed = await everyPage('/api/v1/admin/applications', 1);
    expect(listed).toEqual(expect.arrayContaining(apps.map((a) => a.id)));
    const view = (await svc.call('GET', '/api/v1/admin/applications?limit=1', { admin: true })).body.data[0];
    expect(JSON.stringify(view)).not.toMatch(/zap[po]_[0-9A-Za-z]{36}/); // prefixes only, never a key
  });

  it("lets an application's owner list and revoke its users' tokens, and nobody else's", async () => {
    const [mine, theirs] = [await svc.createApplication(), await svc.createApplication()];
    const a = await buttonToken(mine, 'owner-view@example.com');
    const b = await buttonToken(mine, 'owner-view-2@example.com');
    const foreign = await buttonToken(theirs, 'owner-view@example.com');
    const owner = { 'x-owner-key': mine.owner_key };
    expect(new Set(await everyPage(`/api/v1/applications/${mine.id}/tokens`, 1, owner))).toEqual(new Set([a.id, b.id]));

    expect((await svc.call('DELETE', `/api/v1/applications/${mine.id}/tokens/${a.id}`, { headers: owner })).status).toBe(204);
    expect(await active(a.token)).toBe(false);
    expect((await svc.call('DELETE', `/api/v1/applications/${mine.id}/tokens/${foreign.id}`, { headers: owner })).status).toBe(404);
    expect(await active(foreign.token)).toBe(true);

    // Neither the appkey nor another application's owner key opens the list.
    expect((await svc.call('GET', `/api/v1/applications/${mine.id}/tokens`, { headers: { 'x-appkey': mine.appkey } })).status).toBe(401);
    expect((await svc.call('GET', `/api/v1/applications/${mine.id}/tokens`, { headers: { 'x-owner-key': theirs.owner_key } })).status).toBe(401);
    expect((await svc.call('GET', `/api/v1/applications/${mine.id}/tokens?status=active`, { admin: true })).body.data.map((t: { id: string }) => t.id)).toEqual(
      [b.id],
    );
  });

  it('lets a button user see and revoke their own tokens of one extension through the signed link, and nothing more', async () => {
    const [app, elsewhere] = [await svc.createApplication(), await svc.createApplication()];
    const email = 'self-service@example.com';
    const invoked = await svc.call('POST', `/api/v2/applications/${app.id}/functions/connect/invoke?appkey=${app.appkey}`, {
      headers: { 'x-owner-key': app.owner_key },
      body: { user: { id: '1', email }, button },
    });
    const manage = new URL(invoked.body.buttons[0].action.data.web as string);
    expect(invoked.body.buttons[0]).toMatchObject({ label: 'Manage your tokens', action: { type: 'open.url' } });
    const second = await buttonToken(app, email);
    const foreign = await buttonToken(elsewhere, email);
    const self = (method: string, path: string, link = manage.searchParams.get('link')!) => svc.call(method, `${path}?link=${encodeURIComponent(link)}`);

    const listed = await self('GET', '/api/v1/self/tokens');
    expect(listed.status).toBe(200);
    expect(listed.body).toMatchObject({ user: { email }, application: { id: app.id } });
    expect(listed.body.data.map((t: { id: string }) => t.id)).toContain(second.id);
    expect(listed.body.data.map((t: { id: string }) => t.id)).not.toContain(foreign.id);
    expect(JSON.stringify(listed.body)).not.toMatch(/zapk_[0-9A-Za-z]{36}/);

    expect((await self('DELETE', `/api/v1/self/tokens/${second.id}`)).status).toBe(204);
    expect(await active(second.token)).toBe(false);
    expect((await self('DELETE', `/api/v1/self/tokens/${foreign.id}`)).status).toBe(404); // another extension's token
    expect(await active(foreign.token)).toBe(true);

    // An altered link (another user's id) or none at all opens nothing.
    const [, appId, expires, sig] = manage.searchParams.get('link')!.split('.');
    const altered = await self(
      'GET',
      '/api/v1/self/tokens',
      [foreign.userId === second.userId ? '00000000-0000-4000-8000-000000000000' : foreign.userId, appId, expires, sig].join('.'),
    );
    expect([altered.status, altered.body.code]).toEqual([401, 'invalid_link']);
    expect((await svc.call('GET', '/api/v1/self/tokens')).status).toBe(401);

    // The extension asks for a fresh link for the same user (a "Manage tokens" button), with its owner key only.
    const issued = await svc.call('POST', `/api/v2/applications/${app.id}/self-service-links`, {
      headers: { 'x-owner-key': app.owner_key },
      body: { user: { id: '1', email } },
    });
    expect(issued.status).toBe(200);
    expect((await svc.call('GET', new URL(issued.body.url).pathname + new URL(issued.body.url).search)).status).toBe(200);
    expect(
      (await svc.call('POST', `/api/v2/applications/${app.id}/self-service-links`, { headers: { 'x-appkey': app.appkey }, body: { user: { id: '1', email } } }))
        .status,
    ).toBe(401);
    const unknown = await svc.call('POST', `/api/v2/applications/${app.id}/self-service-links`, {
      headers: { 'x-owner-key': app.owner_key },
      body: { user: { id: '2', email: 'never-seen@example.com' } },
    });
    expect(unknown.status).toBe(404);
  });
});
