import { sign } from '@octokit/webhooks-methods';
import { randomBytes, randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { createFixture, until, type Fixture } from './fixtures';
import { ADMIN_KEY, startPlatform, type Platform } from './platform-env';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const githubExamples = require('@octokit/webhooks-examples') as { name: string; examples: unknown[] }[];
const githubPush = JSON.stringify(githubExamples.find((e) => e.name === 'push')!.examples[0]);

describe('webhook ingestion', () => {
  let platform: Platform;
  let fx: Fixture;
  let ingest: string;

  beforeAll(async () => {
    platform = await startPlatform('ingest', { INGEST_RATE_LIMIT_PER_MINUTE: '100000', HTTP_BODY_LIMIT_BYTES: '65536' });
    fx = await createFixture(platform, 'ingest@example.com');
    ingest = platform.services.ingest.baseUrl;
  });

  afterAll(async () => {
    await platform?.stop();
  });

  const post = (path: string, body: string | Buffer, headers: Record<string, string> = { 'content-type': 'application/json' }, method = 'POST') =>
    fetch(ingest + path, { method, headers, body: method === 'GET' ? undefined : body });
  const messagesOf = async (name: string) => {
    const res = await fetch(`${platform.services.dispatch.baseUrl}/api/v2/channelsbyname/${name}/messages?zapikey=${fx.token}`);
    return res.status === 200 ? ((await res.json()) as { data: { id: string; event_id: string; content: Record<string, unknown> }[] }).data : [];
  };
  const admin = (path: string, init: RequestInit = {}) =>
    fetch(ingest + path, { ...init, headers: { 'content-type': 'application/json', 'x-admin-key': ADMIN_KEY, ...(init.headers as Record<string, string>) } });
  const loggedEvent = (eventId: string) =>
    until(async () => {
      const res = await admin(`/api/v1/events/${eventId}`);
      return res.status === 200 ? ((await res.json()) as any) : undefined;
    });

  describe('message endpoints', () => {
    it.each([
      ['channelsbyname/general/message', 'channel-post'],
      ['bots/deploybot/message', 'bot-message'],
      ['chats/CT_1234/message', 'chat-message'],
      ['buddies/someone@example.com/message', 'buddy-message'],
    ])('POST /api/v2/%s answers 204 once stored', async (path, source) => {
      const res = await post(`/api/v2/${path}?zapikey=${fx.token}`, JSON.stringify({ text: `to ${source}` }));
      expect(res.status).toBe(204);
      expect(await res.text()).toBe('');
      const eventId = res.headers.get('x-zapgate-event-id')!;
      expect((await loggedEvent(eventId)).source).toBe(source);
    });

    it('answers {"message_id"} with sync_message, and that is the stored message id', async () => {
      const res = await post(`/api/v2/channelsbyname/sync/message?zapikey=${fx.token}&sync_message=true`, JSON.stringify({ text: 'sync' }));
      expect(res.status).toBe(200);
      const { message_id } = (await res.json()) as { message_id: string };
      const stored = await until(async () => (await messagesOf('sync')).find((m) => m.id === message_id));
      expect(stored.content.text).toBe('sync');
      const inBody = await post(`/api/v2/channelsbyname/sync/message?zapikey=${fx.token}`, JSON.stringify({ text: 'sync2', sync_message: true }));
      expect(inBody.status).toBe(200);
    });

    it('accepts form fields and plain text, and the token in the Authorization header', async () => {
      expect(
        (await post(`/api/v2/channelsbyname/forms/message?zapikey=${fx.token}`, 'text=from+a+form', { 'content-type': 'application/x-www-form-urlencoded' }))
          .status,
      ).toBe(204);
      expect(
        (await post('/api/v2/channelsbyname/forms/message', 'plain words', { 'content-type': 'text/plain', authorization: `Bearer ${fx.token}` })).status,
      ).toBe(204);
      const texts = await until(async () => {
        const m = await messagesOf('forms');
        return m.length === 2 ? m.map((x) => x.content.text) : undefined;
      });
      expect(texts.sort()).toEqual(['from a form', 'plain words']);
    });

    it('says where malformed JSON breaks (400), and refuses other media types (415)', async () => {
      const res = await post(`/api/v2/channelsbyname/general/message?zapikey=${fx.token}`, '{\n "text": "x",\n oops }');
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code: 'invalid_json', message: expect.stringMatching(/line 3, column 2/) });
      // V8 gives no position for an unexpected token after a key: it is found by our own scan.
      const missing = await post(`/api/v2/channelsbyname/general/message?zapikey=${fx.token}`, '{\n "text": "a",\n "card": }');
      expect(await missing.json()).toMatchObject({ code: 'invalid_json', message: expect.stringMatching(/line 3, column 10/) });
      const xml = await post(`/api/v2/channelsbyname/general/message?zapikey=${fx.token}`, '<x/>', { 'content-type': 'application/xml' });
      expect(xml.status).toBe(415);
    });

    it('lists every violation of the Cliq message schema', async () => {
      const button = { label: 'ok', type: '+', action: { type: 'open.url', data: { web: 'https://example.com' } } };
      const res = await post(
        `/api/v2/channelsbyname/general/message?zapikey=${fx.token}`,
        JSON.stringify({
          text: 'x'.repeat(10_001),
          card: { theme: 'fancy' },
          buttons: [...Array.from({ length: 5 }, () => button), { label: 'way too long a label!', type: '*', action: { type: 'launch.rocket' } }],
          slides: Array.from({ length: 21 }, () => ({ type: 'text', data: 'x' })),
        }),
      );
      expect(res.status).toBe(400);
      const body = (await res.json()) as { code: string; details: { path: string }[] };
      expect(body.code).toBe('invalid_message');
      expect(body.details.map((d) => d.path).sort()).toEqual(
        expect.arrayContaining(['buttons', 'buttons.5.action.type', 'buttons.5.label', 'buttons.5.type', 'card.theme', 'slides', 'text']),
      );
      const empty = await post(`/api/v2/channelsbyname/general/message?zapikey=${fx.token}`, '{}');
      expect(empty.status).toBe(400);
    });

    it('answers 413 for a body over the limit, before reading it all', async () => {
      const res = await post(`/api/v2/channelsbyname/general/message?zapikey=${fx.token}`, Buffer.alloc(70_000, 'a'), { 'content-type': 'text/plain' });
      expect(res.status).toBe(413);
      expect(((await res.json()) as { code: string }).code).toBe('payload_too_large');
    });

    it('gives unknown, malformed and revoked tokens the same 401', async () => {
      const revoked = await fetch(`${platform.services.token.baseUrl}/api/v1/admin/users/${fx.userId}/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-admin-key': ADMIN_KEY },
        body: JSON.stringify({ name: 'temp' }),
      }).then((r) => r.json() as Promise<{ token: string; id: string }>);
      await fetch(`${platform.services.token.baseUrl}/crm/deleteapiauthtoken.do?crmauthtoken=${revoked.token}`);
      const bodies = new Set<string>();
      for (const token of ['', 'zapk_nope', 'zapk_0000000000000000000000000000000000000', revoked.token]) {
        const res = await post(`/api/v2/channelsbyname/general/message?zapikey=${token}`, '{"text":"x"}');
        expect(res.status).toBe(401);
        bodies.add(((await res.json()) as { code: string }).code);
      }
      expect([...bodies]).toEqual(['unauthorized']);
    });
  });

  describe('incoming webhooks', () => {
    it('accepts GET, POST, PUT and DELETE on the extension endpoint and keeps the raw request for the handler', async () => {
      const raw = '{"b":2, "a":1}';
      for (const method of ['GET', 'POST', 'PUT', 'DELETE']) {
        const res = await post(
          `/api/v2/applications/${fx.app.id}/incoming?appkey=${fx.app.appkey}&zapikey=${fx.appToken}&project=zapgate`,
          raw,
          { 'content-type': 'application/json', 'x-custom': 'kept' },
          method,
        );
        expect({ method, status: res.status }).toEqual({ method, status: 204 });
        if (method !== 'POST') continue;
        const logged = await loggedEvent(res.headers.get('x-zapgate-event-id')!);
        expect(logged.request).toMatchObject({ method: 'POST', body: raw, parameters: { project: 'zapgate' } });
        expect(logged.request.headers['x-custom']).toBe('kept');
        expect(JSON.stringify(logged)).not.toContain(fx.appToken);
        expect(JSON.stringify(logged)).not.toContain(fx.app.appkey);
      }
      const patch = await post(`/api/v2/applications/${fx.app.id}/incoming?appkey=${fx.app.appkey}&zapikey=${fx.appToken}`, '{}', undefined, 'PATCH');
      expect(patch.status).toBe(405);
    });

    it('requires the appkey, and a ZAPI key of this very extension', async () => {
      const url = (appkey: string, token: string) => `/api/v2/applications/${fx.app.id}/incoming?appkey=${appkey}&zapikey=${token}`;
      expect((await post(url('', fx.appToken), '{}')).status).toBe(401);
      expect(((await (await post(url('zapp_wrong', fx.appToken), '{}')).json()) as { code: string }).code).toBe('invalid_appkey');
      expect((await post(url(fx.app.appkey, fx.token), '{}')).status).toBe(401); // a personal token, not the extension's
    });

    it('checks GitHub signatures (produced by @octokit/webhooks-methods) on a real push payload', async () => {
      await admin(`/api/v1/admin/sender-verification/application/${fx.app.id}`, {
        method: 'PUT',
        body: JSON.stringify({ scheme: 'github', secrets: ['gh-webhook-secret'] }),
      });
      const url = `/api/v2/applications/${fx.app.id}/incoming?appkey=${fx.app.appkey}&zapikey=${fx.appToken}`;
      const headers = { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': randomUUID() };
      const unsigned = await post(url, githubPush, headers);
      expect(unsigned.status).toBe(401);
      expect(((await unsigned.json()) as { code: string }).code).toBe('invalid_signature');
      const badly = await post(url, githubPush, { ...headers, 'x-hub-signature-256': await sign({ secret: 'wrong', algorithm: 'sha256' }, githubPush) });
      expect(badly.status).toBe(401);
      const signed = await post(url, githubPush, {
        ...headers,
        'x-hub-signature-256': await sign({ secret: 'gh-webhook-secret', algorithm: 'sha256' }, githubPush),
      });
      expect(signed.status).toBe(204);
      expect((await loggedEvent(signed.headers.get('x-zapgate-event-id')!)).sender).toEqual({ scheme: 'github', event: 'push' });
      const metrics = await (await fetch(`${ingest}/metrics`)).text();
      expect(metrics).toMatch(/zapgate_ingest_signature_failures_total\{[^}]*scheme="github",reason="missing_signature"[^}]*\} 1/);
      await admin(`/api/v1/admin/sender-verification/application/${fx.app.id}`, { method: 'DELETE' });
    });

    it('checks Standard Webhooks signatures on a bot, refusing replays of old timestamps', async () => {
      const secret = `whsec_${randomBytes(24).toString('base64')}`;
      const put = await admin('/api/v1/admin/sender-verification/bot/alerts', {
        method: 'PUT',
        body: JSON.stringify({ scheme: 'standard-webhooks', secrets: [secret] }),
      });
      expect(await put.json()).toEqual({ kind: 'bot', id: 'alerts', scheme: 'standard-webhooks', secrets: 1 });
      expect(JSON.stringify(await (await admin('/api/v1/admin/sender-verification/bot/alerts')).json())).not.toContain(secret);
      const body = '{"type":"alert.fired"}';
      const at = (date: Date, id = `msg_${randomUUID()}`) => ({
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(date.getTime() / 1000)),
        'webhook-signature': new Webhook(secret).sign(id, date, body),
      });
      expect((await post(`/api/v2/bots/alerts/incoming?zapikey=${fx.token}`, body, at(new Date()))).status).toBe(204);
      expect((await post(`/api/v2/bots/alerts/incoming?zapikey=${fx.token}`, body, at(new Date(Date.now() - 10 * 60_000)))).status).toBe(401);
      expect((await post(`/api/v2/bots/alerts/incoming?zapikey=${fx.token}`, body, { 'content-type': 'application/json' })).status).toBe(401);
    });

    it('checks GitLab tokens', async () => {
      await admin('/api/v1/admin/sender-verification/bot/gitlabbot', {
        method: 'PUT',
        body: JSON.stringify({ scheme: 'gitlab', secrets: ['gitlab-secret-token'] }),
      });
      const send = (token?: string) =>
        post(`/api/v2/bots/gitlabbot/incoming?zapikey=${fx.token}`, '{"object_kind":"push"}', {
          'content-type': 'application/json',
          'x-gitlab-event': 'Push Hook',
          ...(token ? { 'x-gitlab-token': token } : {}),
        });
      expect((await send('gitlab-secret-token')).status).toBe(204);
      expect((await send('nope')).status).toBe(401);
      expect((await send()).status).toBe(401);
    });
  });

  describe('idempotency', () => {
    it('answers a repeated delivery with the original event id and dispatches it once', async () => {
      const key = randomUUID();
      const send = () =>
        post(`/api/v2/channelsbyname/idem/message?zapikey=${fx.token}`, '{"text":"once"}', { 'content-type': 'application/json', 'idempotency-key': key });
      const first = await send();
      const second = await send();
      expect(first.status).toBe(204);
      expect(second.status).toBe(204);
      const id = first.headers.get('x-zapgate-event-id');
      expect(second.headers.get('x-zapgate-event-id')).toBe(id);
      expect(second.headers.get('x-zapgate-duplicate')).toBe('true');
      // Once the event log has the key, a repeat is answered from PostgreSQL (beyond JetStream's 2-minute window).
      await loggedEvent(id!);
      await until(async () => ((await admin(`/api/v1/events?limit=100`)).ok ? true : undefined));
      const third = await send();
      expect(third.headers.get('x-zapgate-event-id')).toBe(id);
      await new Promise((r) => setTimeout(r, 500));
      expect((await messagesOf('idem')).map((m) => m.event_id)).toEqual([id]);
      const metrics = await (await fetch(`${ingest}/metrics`)).text();
      expect(metrics).toMatch(/zapgate_ingest_dedup_hits_total\{[^}]*where="window"/);
    });

    it('lets JetStream drop a repeat that arrives before the first is in the event log', async () => {
      const key = randomUUID();
      const send = () =>
        post(`/api/v2/channelsbyname/idem2/message?zapikey=${fx.token}`, '{"text":"twice at once"}', {
          'content-type': 'application/json',
          'idempotency-key': key,
        });
      const answers = await Promise.all([send(), send(), send()]);
      const ids = new Set(answers.map((a) => a.headers.get('x-zapgate-event-id')));
      expect(ids.size).toBe(1);
      expect(answers.map((a) => a.status)).toEqual([204, 204, 204]);
      await new Promise((r) => setTimeout(r, 500));
      expect((await messagesOf('idem2')).length).toBe(1);
      const metrics = await (await fetch(`${ingest}/metrics`)).text();
      expect(metrics).toMatch(/zapgate_ingest_dedup_hits_total\{[^}]*where="jetstream"/);
    });

    it('scopes keys per sender: the same delivery id to another application is a new event', async () => {
      const other = await createFixture(platform, 'other-app@example.com');
      const delivery = randomUUID();
      const send = (f: Fixture) =>
        post(`/api/v2/applications/${f.app.id}/incoming?appkey=${f.app.appkey}&zapikey=${f.appToken}`, '{}', {
          'content-type': 'application/json',
          'x-github-delivery': delivery,
        });
      const a = await send(fx);
      const b = await send(other);
      expect(a.headers.get('x-zapgate-event-id')).not.toBe(b.headers.get('x-zapgate-event-id'));
    });
  });

  describe('event API', () => {
    it('lists with filters and cursor pagination, shows one, replays one and all since a time', async () => {
      const since = new Date().toISOString();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await post(`/api/v2/channelsbyname/replays/message?zapikey=${fx.token}`, JSON.stringify({ text: `r${i}` }));
        ids.push(res.headers.get('x-zapgate-event-id')!);
      }
      // Dispatch reports back what it made of each event: stored, with the message id.
      for (const id of ids) {
        const event = await until(async () => {
          const e = await loggedEvent(id);
          return e.status === 'stored' ? e : undefined;
        });
        expect(event).toMatchObject({ dispatch_attempts: 1, message_ids: [id], error: null });
      }

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page = (await (await admin(`/api/v1/events?source=channel-post&from=${since}&limit=2${cursor ? `&cursor=${cursor}` : ''}`)).json()) as {
          data: { event_id: string }[];
          next_cursor: string | null;
        };
        seen.push(...page.data.map((e) => e.event_id));
        cursor = page.next_cursor;
      } while (cursor);
      expect(seen).toEqual([...ids].reverse());
      expect((await admin('/api/v1/events?cursor=garbage')).status).toBe(400);

      const replay = await admin(`/api/v1/events/${ids[0]}/replay`, { method: 'POST' });
      expect(replay.status).toBe(202);
      const replayed = (await replay.json()) as { event_id: string; replay_of: string };
      expect(replayed.replay_of).toBe(ids[0]);
      expect((await loggedEvent(replayed.event_id)).replay_of).toBe(ids[0]);
      // The replay yields the same message: it points at the one stored, and stores (and delivers) nothing new.
      const verdict = await until(async () => {
        const e = await loggedEvent(replayed.event_id);
        return e.status !== 'received' ? e : undefined;
      });
      expect(verdict).toMatchObject({ status: 'stored', message_ids: [ids[0]] });

      const all = await admin('/api/v1/events/replay', { method: 'POST', body: JSON.stringify({ since, status: 'stored' }) });
      expect(all.status).toBe(202);
      expect(((await all.json()) as { replayed: number }).replayed).toBeGreaterThanOrEqual(5);
      const replays = await until(async () => {
        const page = (await (await admin(`/api/v1/events?source=channel-post&from=${since}&limit=100`)).json()) as {
          data: { replay_of: string | null; status: string; message_ids: string[] }[];
        };
        const mine = page.data.filter((e) => e.replay_of);
        return mine.length >= 6 && mine.every((e) => e.status !== 'received') ? mine : undefined;
      });
      expect(new Set(replays.map((e) => e.message_ids[0]))).toEqual(new Set(ids));
      expect((await messagesOf('replays')).map((m) => m.content.text).sort()).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
    });

    it("lets an application's owner see only its own events, and nobody else any", async () => {
      const own = await fetch(`${ingest}/api/v1/events?app_id=${fx.app.id}`, { headers: { 'x-owner-key': fx.app.owner_key } });
      expect(own.status).toBe(200);
      const events = ((await own.json()) as { data: { app_id: string; event_id: string }[] }).data;
      expect(events.length).toBeGreaterThan(0);
      expect(new Set(events.map((e) => e.app_id))).toEqual(new Set([fx.app.id]));
      expect((await fetch(`${ingest}/api/v1/events`)).status).toBe(401);
      expect((await fetch(`${ingest}/api/v1/events?app_id=${fx.app.id}`, { headers: { 'x-owner-key': 'zapo_wrong' } })).status).toBe(401);
      // A named read-only operator key (made in token-service, checked over NATS) reads here and changes nothing.
      const made = await fetch(`${platform.services.token.baseUrl}/api/v1/admin/operator-keys`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-admin-key': ADMIN_KEY },
        body: JSON.stringify({ name: 'auditor', role: 'read-only' }),
      });
      const readOnly = ((await made.json()) as { key: string }).key;
      expect((await fetch(`${ingest}/api/v1/events?app_id=${fx.app.id}`, { headers: { 'x-admin-key': readOnly } })).status).toBe(200);
      const replay = await fetch(`${ingest}/api/v1/events/${events[0].event_id}/replay`, { method: 'POST', headers: { 'x-admin-key': readOnly } });
      expect(replay.status).toBe(403);
      // The appkey is in every user's webhook URL: it identifies the application and reads nothing.
      const byAppkey = await fetch(`${ingest}/api/v1/events?app_id=${fx.app.id}`, { headers: { 'x-appkey': fx.app.appkey } });
      expect(byAppkey.status).toBe(401);
      expect(((await byAppkey.json()) as { message: string }).message).toMatch(/owner key/);
      const channelEvent = events.length ? undefined : null;
      expect(channelEvent).toBeUndefined();
    });
  });
});
