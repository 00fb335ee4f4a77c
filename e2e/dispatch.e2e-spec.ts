import { connect, headers as natsHeaders, type NatsConnection } from 'nats';
import { randomUUID } from 'node:crypto';
import { connect as tcpConnect } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { dispatchClient, type StoredMessage } from './dispatch-helpers';
import { adminPost, createFixture, until, type Fixture } from './fixtures';
import { ADMIN_KEY, startPlatform, type Platform } from './platform-env';
import { startReceiver, type Receiver } from './receivers';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const githubExamples = require('@octokit/webhooks-examples') as { name: string; examples: unknown[] }[];
const githubPush = JSON.stringify(githubExamples.find((e) => e.name === 'push')!.examples[0]);

const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('message dispatch', () => {
  let platform: Platform;
  let api: ReturnType<typeof dispatchClient>;
  let a: Fixture;
  let b: Fixture;
  const receivers: Receiver[] = [];
  const receiver = async (...args: Parameters<typeof startReceiver>) => {
    const r = await startReceiver(...args);
    receivers.push(r);
    return r;
  };

  beforeAll(async () => {
    platform = await startPlatform('dispatch', {
      INGEST_RATE_LIMIT_PER_MINUTE: '1000000',
      OUTBOUND_ALLOWED_CIDRS: '127.0.0.0/8',
      DELIVERY_RETRY_SCHEDULE: '1,1,1',
      DELIVERY_JITTER: '0',
      DELIVERY_POLL_MS: '100',
      DELIVERY_TIMEOUT_MS: '1500',
      HANDLER_TIMEOUT_MS: '1000',
      HANDLER_MAX_ATTEMPTS: '3',
      SUBSCRIPTION_DISABLE_AFTER_SECONDS: '10',
      DISPATCH_CONCURRENCY: '16',
    });
    api = dispatchClient(platform);
    [a, b] = await Promise.all([createFixture(platform, 'alice@example.com'), createFixture(platform, 'bob@example.com')]);
  });

  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
    await platform?.stop();
  });

  describe('channel store and access', () => {
    it('enforces token scopes on every service: 403 insufficient_scope naming the missing one', async () => {
      const mint = async (scopes: string[]) => {
        const res = await fetch(`${platform.services.token.baseUrl}/api/v1/admin/users/${a.userId}/tokens`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-admin-key': ADMIN_KEY },
          body: JSON.stringify({ name: `scoped ${scopes.join(' ')}`, scopes }),
        });
        expect(res.status).toBe(201);
        return ((await res.json()) as { token: string }).token;
      };
      const channel = unique('scoped');
      const [poster, reader] = await Promise.all([mint(['ZohoCliq.Webhooks.CREATE']), mint(['ZohoCliq.Messages.READ'])]);
      const postWith = (token: string) =>
        fetch(`${platform.services.ingest.baseUrl}/api/v2/channelsbyname/${channel}/message`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: '{"text":"scoped"}',
        });

      expect((await api.outcome(await api.post(poster, `channelsbyname/${channel}/message`, { text: 'scoped' }))).status).toBe('stored');
      const readByPoster = await api.d(poster, `/api/v2/channelsbyname/${channel}/messages`);
      expect([readByPoster.status, readByPoster.body.code, readByPoster.body.message]).toEqual([
        403,
        'insufficient_scope',
        expect.stringContaining('ZohoCliq.Messages.READ'),
      ]);
      expect(readByPoster.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope", scope="ZohoCliq.Messages.READ"');
      expect((await api.messages(reader, 'channelsbyname', channel)).map((m) => m.content.text)).toEqual(['scoped']);

      const postByReader = await postWith(reader);
      expect([postByReader.status, ((await postByReader.json()) as { code: string }).code]).toEqual([403, 'insufficient_scope']);
      const incomingByReader = await fetch(`${platform.services.ingest.baseUrl}/api/v2/bots/deploybot/incoming?zapikey=${reader}`, {
        method: 'POST',
        body: '{}',
        headers: { 'content-type': 'application/json' },
      });
      expect(incomingByReader.status).toBe(403);
      for (const [token, path, method, scope] of [
        [reader, '/api/v1/subscriptions', 'GET', 'Zapgate.Subscriptions.ALL'],
        [poster, '/api/v2/channels', 'POST', 'ZohoCliq.Channels.CREATE'],
        [poster, '/api/v2/channels', 'GET', 'ZohoCliq.Channels.READ'],
        [reader, `/api/v2/channelsbyname/${channel}/members`, 'POST', 'ZohoCliq.Channels.UPDATE'],
      ]) {
        const res = await api.d(token, path, { method, ...(method === 'POST' ? { body: '{"unique_name":"x"}' } : {}) });
        expect([path, method, res.status, res.body.code, res.body.details?.[0]?.message]).toEqual([path, method, 403, 'insufficient_scope', scope]);
      }
      // Unknown scopes are refused when the token is asked for, with the position named.
      const unknown = await fetch(`${platform.services.token.baseUrl}/api/v1/admin/users/${a.userId}/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-admin-key': ADMIN_KEY },
        body: JSON.stringify({ name: 'bad', scopes: ['ZohoCliq.Webhooks.CREATE', 'messages'] }),
      });
      expect([unknown.status, ((await unknown.json()) as { details: { path: string }[] }).details[0].path]).toEqual([400, 'scopes.1']);
    });

    it('lets only members post to and read a channel, and bots post only where they participate', async () => {
      const channel = unique('ops');
      expect((await api.outcome(await api.post(a.token, `channelsbyname/${channel}/message`, { text: 'first' }))).status).toBe('stored');
      expect((await api.messages(a.token, 'channelsbyname', channel)).map((m) => m.content.text)).toEqual(['first']);

      const stranger = await api.outcome(await api.post(b.token, `channelsbyname/${channel}/message`, { text: 'let me in' }));
      expect(stranger).toMatchObject({ status: 'rejected', error: { code: 'not_a_member' } });
      expect((await api.d(b.token, `/api/v2/channelsbyname/${channel}/messages`)).status).toBe(404);

      const added = await api.d(a.token, `/api/v2/channelsbyname/${channel}/members`, { method: 'POST', body: JSON.stringify({ user_ids: [b.userId] }) });
      expect(added.status).toBe(200);
      expect((await api.outcome(await api.post(b.token, `channelsbyname/${channel}/message`, { text: 'hello from bob' }))).status).toBe('stored');

      const asBot = await api.outcome(await api.post(a.token, `channelsbyname/${channel}/message?bot_unique_name=deploybot`, { text: 'deployed' }));
      expect(asBot).toMatchObject({ status: 'rejected', error: { code: 'bot_not_participant' } });
      await api.d(a.token, `/api/v2/channelsbyname/${channel}/members`, { method: 'POST', body: JSON.stringify({ bot_unique_names: ['deploybot'] }) });
      expect((await api.outcome(await api.post(a.token, `channelsbyname/${channel}/message?bot_unique_name=deploybot`, { text: 'deployed' }))).status).toBe(
        'stored',
      );

      const messages = await api.messages(b.token, 'channelsbyname', channel);
      expect(messages.map((m) => m.content.text)).toEqual(['deployed', 'hello from bob', 'first']);
      expect(messages[0].sender).toMatchObject({ type: 'bot', name: 'deploybot' });
      expect(messages[1].sender).toEqual({ type: 'user', id: b.userId });

      // Bad input gets a clear 4xx, never a 500.
      expect((await api.d(a.token, `/api/v2/channelsbyname/${channel}/members`, { method: 'POST', body: '{"user_ids":["nope"]}' })).status).toBe(400);
      expect((await api.d(a.token, `/api/v2/channels`, { method: 'POST', body: JSON.stringify({ unique_name: channel }) })).status).toBe(409);
      expect((await api.d(a.token, `/api/v2/nowhere/x/messages`)).status).toBe(400);
      expect((await api.d('zapk_nottoken', `/api/v2/channelsbyname/${channel}/messages`)).status).toBe(401);
    });

    it('keeps messages for chats and bots, readable by their members', async () => {
      const chatId = unique('chat');
      const created = await api.d(a.token, '/api/v2/chats', { method: 'POST', body: JSON.stringify({ chat_id: chatId, title: 'Pair', user_ids: [b.userId] }) });
      expect(created.status).toBe(201);
      await api.outcome(await api.post(b.token, `chats/${chatId}/message`, { text: 'in the chat' }));
      expect((await api.messages(a.token, 'chats', chatId)).map((m) => m.content.text)).toEqual(['in the chat']);

      const bot = unique('helper');
      await api.outcome(await api.post(a.token, `bots/${bot}/message`, { text: 'hi bot' }));
      expect((await api.messages(a.token, 'bots', bot)).map((m) => m.content.text)).toEqual(['hi bot']);
      expect(await api.messages(b.token, 'bots', bot)).toEqual([]);
      const mine = await api.d(a.token, '/api/v2/chats');
      expect(mine.body.data.map((t: { unique_name: string }) => t.unique_name)).toContain(chatId);
    });

    it('streams new messages over SSE in the order they were ingested, with 16 events in flight', async () => {
      const channels = await Promise.all(
        [1, 2, 3, 4].map(async () => {
          const name = unique('live');
          expect((await api.d(a.token, '/api/v2/channels', { method: 'POST', body: JSON.stringify({ unique_name: name }) })).status).toBe(201);
          return name;
        }),
      );
      const streams = channels.map((name) => openStream(`${platform.services.dispatch.baseUrl}/api/v2/channelsbyname/${name}/messages/stream`, a.token));
      await Promise.all(streams.map((s) => s.ready));
      const perChannel = 40;
      for (let i = 0; i < perChannel; i++) {
        // Sequential posts fix the ingest order; dispatch then handles up to 16 at once.
        for (const name of channels) await api.post(a.token, `channelsbyname/${name}/message`, { text: `${name} #${i}` });
      }
      const got = await Promise.all(streams.map((s) => until(async () => (s.events.length >= perChannel ? s.events : undefined), 20_000)));
      got.forEach((events, k) => expect(events.map((e) => e.data.content.text)).toEqual(Array.from({ length: perChannel }, (_, i) => `${channels[k]} #${i}`)));

      // A reader that reconnects with Last-Event-ID gets exactly what it missed.
      const resumed = openStream(`${platform.services.dispatch.baseUrl}/api/v2/channelsbyname/${channels[0]}/messages/stream`, a.token, got[0][9].id);
      const rest = await until(async () => (resumed.events.length >= perChannel - 10 ? resumed.events : undefined));
      expect(rest.map((e) => e.data.content.text)).toEqual(Array.from({ length: perChannel - 10 }, (_, i) => `${channels[0]} #${i + 10}`));
      for (const s of [...streams, resumed]) s.close();
      expect((await fetch(`${platform.services.dispatch.baseUrl}/api/v2/channelsbyname/${channels[0]}/messages/stream?zapikey=${b.token}`)).status).toBe(404);
    });

    it('does not buffer a backlog for an SSE reader that stopped reading', async () => {
      const name = unique('slow');
      expect((await api.d(a.token, '/api/v2/channels', { method: 'POST', body: JSON.stringify({ unique_name: name }) })).status).toBe(201);
      const { hostname, port } = new URL(platform.services.dispatch.baseUrl);
      const socket = tcpConnect(Number(port), hostname);
      const headers = new Promise<void>((resolve) => socket.once('data', () => resolve()));
      socket.write(`GET /api/v2/channelsbyname/${name}/messages/stream HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: Zoho-oauthtoken ${a.token}\r\n\r\n`);
      await headers;
      socket.pause(); // reads nothing more: the kernel's buffers fill, then the server's would
      try {
        const pad = 'x'.repeat(500_000);
        let last = '';
        for (let i = 0; i < 40; i++) last = await api.post(a.token, `channelsbyname/${name}/message`, { text: `big ${i}`, extra: { pad } });
        expect((await api.outcome(last)).status).toBe('stored');
        const buffered = async () => Number(/^zapgate_sse_buffered_bytes(?:\{[^}]*\})? (\d+)/m.exec(await api.metrics())?.[1] ?? NaN);
        await sleep(1000);
        // 20 MB offered; the loopback's socket buffers take a few MB; the process holds at most about one message.
        expect(await buffered()).toBeLessThan(2_000_000);
      } finally {
        socket.destroy();
      }
    });

    it('stores a redelivered event once, and dead-letters a poison event instead of retrying it forever', async () => {
      const nc: NatsConnection = await connect({ servers: platform.env.NATS_URL });
      try {
        const js = nc.jetstream();
        const subject = `${platform.namespace}.zapgate.webhook.received.v1`;
        const channel = unique('redeliver');
        const eventId = randomUUID();
        const event = {
          eventId,
          receivedAt: new Date().toISOString(),
          source: 'channel-post',
          userId: a.userId,
          tokenId: randomUUID(),
          target: { kind: 'channel', name: channel },
          message: { text: 'once' },
        };
        // Different msgIDs get past JetStream's duplicate window, as a redelivery after a crash would.
        await js.publish(subject, JSON.stringify(event), { msgID: `${eventId}-1` });
        await js.publish(subject, JSON.stringify(event), { msgID: `${eventId}-2` });
        await api.outcome(eventId);
        await sleep(500);
        expect((await api.messages(a.token, 'channelsbyname', channel)).map((m) => m.event_id)).toEqual([eventId]);

        const h = natsHeaders();
        h.set('x-correlation-id', 'poison-test');
        await js.publish(subject, '{"this is": "not an event"}', { headers: h });
        const letters = await until(async () => {
          const rows = await platform.db.query<{ reason: string; payload: string }>(
            `SELECT kind, reason, convert_from(payload, 'UTF8') AS payload FROM dispatch.dead_letter`,
          );
          return rows.length ? rows : undefined;
        });
        expect(letters[0]).toMatchObject({ kind: 'contract', reason: 'payload does not match the contract', payload: '{"this is": "not an event"}' });
        expect(await api.metrics()).toMatch(/zapgate_dead_letters\{kind="event"[^}]*\} [1-9]/);
      } finally {
        await nc.close();
      }
    });

    it('stores a burst for one channel in stream order, several messages per transaction', async () => {
      const nc: NatsConnection = await connect({ servers: platform.env.NATS_URL });
      try {
        const js = nc.jetstream();
        const subject = `${platform.namespace}.zapgate.webhook.received.v1`;
        const channel = unique('burst');
        const batches = async () => {
          const m = /zapgate_dispatch_store_batch_size_(count|sum)\{[^}]*\} (\S+)[\s\S]*zapgate_dispatch_store_batch_size_(count|sum)\{[^}]*\} (\S+)/.exec(
            await api.metrics(),
          );
          const values = Object.fromEntries([
            [m![1], Number(m![2])],
            [m![3], Number(m![4])],
          ]) as { count: number; sum: number };
          return values;
        };
        const before = await batches();
        const ids = Array.from({ length: 300 }, () => randomUUID());
        // Published back to back (one connection keeps the order): dispatch has many of them in flight at once.
        await Promise.all(
          ids.map((eventId, i) =>
            js.publish(
              subject,
              JSON.stringify({
                eventId,
                receivedAt: new Date().toISOString(),
                source: 'channel-post',
                userId: a.userId,
                tokenId: randomUUID(),
                target: { kind: 'channel', name: channel },
                message: { text: `#${i}` },
              }),
              { msgID: eventId },
            ),
          ),
        );
        const stored = await until(async () => {
          const rows = await platform.db.query<{ text: string }>(
            `SELECT m.text FROM dispatch.message m JOIN dispatch.channel c ON c.id = m.channel_id WHERE c.unique_name = $1 ORDER BY m.store_seq`,
            [channel],
          );
          return rows.length === ids.length ? rows : undefined;
        }, 60_000);
        expect(stored.map((r) => r.text)).toEqual(ids.map((_, i) => `#${i}`));
        const after = await batches();
        // Fewer transactions than messages: at least some were stored together.
        expect(after.sum - before.sum).toBeGreaterThanOrEqual(ids.length);
        expect(after.count - before.count).toBeLessThan(ids.length);
      } finally {
        await nc.close();
      }
    });

    it('decides each post of a batch by the channel rules, in order: owner, non-member, repeats', async () => {
      const nc: NatsConnection = await connect({ servers: platform.env.NATS_URL });
      try {
        const js = nc.jetstream();
        const subject = `${platform.namespace}.zapgate.webhook.received.v1`;
        const channel = unique('rules');
        const event = (eventId: string, userId: string, text: string) =>
          JSON.stringify({
            eventId,
            receivedAt: new Date().toISOString(),
            source: 'channel-post',
            userId,
            tokenId: randomUUID(),
            target: { kind: 'channel', name: channel },
            message: { text },
          });
        // a creates the channel with the first post; b is no member; one of a's events arrives twice.
        const plan = Array.from({ length: 60 }, (_, i) => ({ id: randomUUID(), user: i % 3 === 1 ? b : a, text: `#${i}` }));
        const repeated = plan[6];
        await Promise.all([
          ...plan.map((p) => js.publish(subject, event(p.id, p.user.userId, p.text), { msgID: p.id })),
          js.publish(subject, event(repeated.id, a.userId, repeated.text), { msgID: `${repeated.id}-again` }),
        ]);
        const mine = plan.filter((p) => p.user === a);
        const stored = await until(async () => {
          const rows = await platform.db.query<{ text: string; event_id: string }>(
            `SELECT m.text, m.event_id FROM dispatch.message m JOIN dispatch.channel c ON c.id = m.channel_id WHERE c.unique_name = $1 ORDER BY m.store_seq`,
            [channel],
          );
          return rows.length >= mine.length ? rows : undefined;
        }, 60_000);
        await sleep(500);
        expect(stored.map((r) => r.text)).toEqual(mine.map((p) => p.text));
        const refused = await api.outcome(plan[1].id);
        expect(refused).toMatchObject({ status: 'rejected', error: { code: 'not_a_member' } });
        const members = await platform.db.query<{ member_id: string }>(
          `SELECT mb.member_id FROM dispatch.member mb JOIN dispatch.channel c ON c.id = mb.target_id WHERE c.unique_name = $1`,
          [channel],
        );
        expect(members.map((m) => m.member_id)).toEqual([a.userId]);
      } finally {
        await nc.close();
      }
    });
  });

  describe('incoming webhooks', () => {
    let handler: Receiver;
    let secret: string;
    const incoming = (fx: Fixture, query: string, body: string, headers: Record<string, string> = {}) =>
      fetch(`${platform.services.ingest.baseUrl}/api/v2/applications/${fx.app.id}/incoming?appkey=${fx.app.appkey}&zapikey=${fx.appToken}${query}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      }).then(async (r) => {
        expect([200, 204]).toContain(r.status);
        return r.headers.get('x-zapgate-event-id')!;
      });

    beforeAll(async () => {
      handler = await receiver();
      const res = await fetch(`${platform.services.token.baseUrl}/api/v1/admin/applications/${a.app.id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', 'x-admin-key': ADMIN_KEY },
        body: JSON.stringify({ handler_urls: { incoming: `${handler.url}/incoming` } }),
      });
      expect(res.status).toBe(200);
      const secretUrl = (appId: string) => `${platform.services.dispatch.baseUrl}/api/v1/applications/${appId}/handler-secret`;
      const got = await fetch(secretUrl(a.app.id), { headers: { 'x-owner-key': a.app.owner_key } });
      expect(got.status).toBe(200);
      secret = ((await got.json()) as { secret: string }).secret;
      expect(secret).toMatch(/^whsec_/);
      // Every user of the extension sees its appkey in the webhook URL: it must not open the secret.
      const byAppkey = await fetch(secretUrl(a.app.id), { headers: { 'x-appkey': a.app.appkey } });
      expect(byAppkey.status).toBe(401);
      expect(await byAppkey.text()).not.toContain('whsec_');
      expect((await fetch(`${secretUrl(a.app.id)}?appkey=${a.app.appkey}`)).status).toBe(401);
      expect((await fetch(secretUrl(a.app.id), { headers: { 'x-owner-key': b.app.owner_key } })).status).toBe(401);
      expect((await fetch(secretUrl(a.app.id), { headers: { 'x-admin-key': ADMIN_KEY } })).status).toBe(200);
      expect((await fetch(secretUrl('7d3c5a0e-0000-4000-8000-000000000000'), { headers: { 'x-admin-key': ADMIN_KEY } })).status).toBe(404);
    });

    it("calls the application's handler with Cliq's payload, signed with its secret, and posts the message it answers", async () => {
      const channel = unique('handled');
      handler.behave(() => ({
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'from the handler', post_to: { channel } }),
      }));
      const eventId = await incoming(a, '&source=ci', '{"hello":"world"}', { 'x-custom': 'yes' });
      const event = await api.outcome(eventId);
      expect(event).toMatchObject({ status: 'stored', message_ids: [eventId], handler: { status: 200 } });

      const call = handler.received[handler.received.length - 1];
      const payload = new Webhook(secret).verify(call.body, call.headers as Record<string, string>) as Record<string, any>;
      expect(payload).toMatchObject({
        body: '{"hello":"world"}',
        http_method: 'POST',
        parameters: { source: 'ci' },
        user: { id: a.userId, email: 'alice@example.com' },
        application: { id: a.app.id },
      });
      expect(payload.headers['x-custom']).toBe('yes');
      expect(JSON.stringify(payload)).not.toContain(a.appToken);
      expect(JSON.stringify(payload)).not.toContain(a.app.appkey);
      expect((await api.messages(a.token, 'channelsbyname', channel)).map((m) => m.content.text)).toEqual(['from the handler']);
    });

    it('stores nothing on 204, retries handler errors and records timeouts and bad answers on the event', async () => {
      handler.behave(() => ({ status: 204 }));
      expect(await api.outcome(await incoming(a, '', '{}'))).toMatchObject({ status: 'no_message', message_ids: [] });

      const channel = unique('retried');
      handler.behave((n) =>
        n % 2 === 0 ? { status: 500, body: 'boom' } : { status: 200, body: JSON.stringify({ text: 'second time lucky', post_to: { channel } }) },
      );
      handler.received.length = 0;
      const retried = await api.outcome(await incoming(a, '', '{}'), (e) => e.status === 'stored');
      expect(retried.dispatch_attempts).toBe(2);

      handler.behave(() => ({ status: 200, delayMs: 3000, body: '{"text":"too late"}' }));
      const slow = await api.outcome(await incoming(a, '', '{}'), (e) => e.status === 'handler_failed' && e.dispatch_attempts === 3, 20_000);
      expect(slow.error).toEqual({ code: 'handler_timeout', message: 'no complete answer within 1000 ms' });

      handler.behave(() => ({ status: 200, body: 'not json' }));
      const bad = await api.outcome(await incoming(a, '', '{}'));
      expect(bad).toMatchObject({ status: 'handler_failed', dispatch_attempts: 1, error: { code: 'invalid_handler_answer' } });

      // After a rotation both secrets sign, so a handler that still has the old one keeps verifying.
      const rotated = await fetch(`${platform.services.dispatch.baseUrl}/api/v1/applications/${a.app.id}/handler-secret/rotate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-owner-key': a.app.owner_key },
        body: '{"grace_seconds":60}',
      }).then((r) => r.json() as Promise<{ secret: string }>);
      handler.behave(() => ({ status: 204 }));
      await api.outcome(await incoming(a, '', '{}'));
      const last = handler.received[handler.received.length - 1];
      expect(String(last.headers['webhook-signature']).split(' ')).toHaveLength(2);
      expect(() => new Webhook(secret).verify(last.body, last.headers as Record<string, string>)).not.toThrow();
      expect(() => new Webhook(rotated.secret).verify(last.body, last.headers as Record<string, string>)).not.toThrow();
    });

    it('formats GitHub, GitLab and any JSON into a card when the application has no handler', async () => {
      const channel = unique('gh');
      await api.outcome(await incoming(b, `&channel=${channel}`, githubPush, { 'x-github-event': 'push', 'x-github-delivery': randomUUID() }));
      const gitlab = JSON.stringify({
        object_kind: 'merge_request',
        user: { name: 'Grace' },
        project: { path_with_namespace: 'acme/api', web_url: 'https://gitlab.example.com/acme/api' },
        object_attributes: {
          iid: 7,
          title: 'Faster builds',
          action: 'open',
          source_branch: 'fast',
          target_branch: 'main',
          url: 'https://gitlab.example.com/acme/api/-/merge_requests/7',
        },
      });
      await api.outcome(await incoming(b, `&channel=${channel}`, gitlab, { 'x-gitlab-event': 'Merge Request Hook' }));
      await api.outcome(await incoming(b, `&channel=${channel}`, JSON.stringify({ event: 'invoice.paid', amount: 42 })));
      const [generic, mr, push] = await api.messages(b.token, 'channelsbyname', channel);
      expect(push.content.card.title).toMatch(/pushed \d+ commits? to .+:/);
      expect(push.content.buttons[0]).toMatchObject({ label: 'Compare', action: { type: 'open.url' } });
      expect(mr.content.card.title).toBe('Grace opened merge request !7 in acme/api');
      expect(mr.content.buttons[0].action.data.web).toBe('https://gitlab.example.com/acme/api/-/merge_requests/7');
      expect(generic.content.card.title).toBe('invoice.paid');
      expect(generic.content.slides[0].data).toEqual([{ event: 'invoice.paid' }, { amount: '42' }]);

      const noTarget = await api.outcome(await incoming(b, '', '{}'));
      expect(noTarget).toMatchObject({ status: 'rejected', error: { code: 'no_target' } });
    });
  });

  describe('outbound delivery', () => {
    const subscribe = async (token: string, body: Record<string, unknown>) => {
      const res = await api.d(token, '/api/v1/subscriptions', { method: 'POST', body: JSON.stringify(body) });
      expect(res.status).toBe(201);
      // dispatch's audit log names the user whose token made it.
      const audit = await fetch(`${platform.services.dispatch.baseUrl}/api/v1/dispatch/audit?target_type=subscription&target_id=${res.body.id}`, {
        headers: { 'x-admin-key': ADMIN_KEY },
      });
      const [entry] = ((await audit.json()) as { data: { action: string; actor: { type: string; id: string } }[] }).data;
      expect([entry.action, entry.actor.type, entry.actor.id]).toEqual(['subscription.created', 'user', token === a.token ? a.userId : b.userId]);
      return res.body as { id: string; secret?: string };
    };
    const newChannel = async () => {
      const name = unique('out');
      await api.d(a.token, '/api/v2/channels', { method: 'POST', body: JSON.stringify({ unique_name: name }) });
      return name;
    };
    const deliveries = async (subId: string) => (await api.d(a.token, `/api/v1/subscriptions/${subId}/deliveries`)).body.data as any[];

    /** Posts texts one after another (each acknowledged before the next), which fixes their stored order. */
    const postInOrder = async (channel: string, texts: string[]) => {
      for (const text of texts) await api.post(a.token, `channelsbyname/${channel}/message`, { text });
    };
    const textOf = (r: { body: string }) => (JSON.parse(r.body) as { data: { content: { text: string } } }).data.content.text;

    it('sends operators Standard-Webhooks-signed operational events, each type to the endpoints that take it, with the same retries', async () => {
      const ops = await receiver();
      const onlyTokens = await receiver();
      const broken = await receiver(() => ({ status: 500 }));
      const admin = { 'content-type': 'application/json', 'x-admin-key': ADMIN_KEY };
      const register = async (body: Record<string, unknown>) => {
        const res = await fetch(`${platform.services.dispatch.baseUrl}/api/v1/admin/operational-webhooks`, {
          method: 'POST',
          headers: admin,
          body: JSON.stringify(body),
        });
        expect(res.status).toBe(201);
        return (await res.json()) as { id: string; secret: string; event_types: string[] | null };
      };
      const all = await register({ url: `${ops.url}/ops`, description: 'pager' });
      const tokens = await register({ url: onlyTokens.url, event_types: ['token.revoked'] });
      const failing = await register({ url: broken.url, event_types: ['user.deactivated'] });
      expect([all.event_types, tokens.event_types]).toEqual([null, ['token.revoked']]);
      expect((await api.d(a.token, '/api/v1/subscriptions')).body.data.map((x: { id: string }) => x.id)).not.toContain(all.id);
      expect(
        (await fetch(`${platform.services.dispatch.baseUrl}/api/v1/admin/operational-webhooks`, { headers: { authorization: `Zoho-oauthtoken ${a.token}` } }))
          .status,
      ).toBe(401);
      const typesAt = (r: Receiver) => r.received.map((x) => (JSON.parse(x.body) as { type: string }).type);

      // delivery.exhausted: a user's subscription whose receiver always fails (schedule 1,1,1: four attempts).
      const dead = await receiver(() => ({ status: 500 }));
      const channel = await newChannel();
      const sub = await subscribe(a.token, { target: { kind: 'channelsbyname', name: channel }, kind: 'standard-webhooks', url: dead.url });
      const messageId = await api.post(a.token, `channelsbyname/${channel}/message`, { text: 'nobody hears this' });
      // subscription.disabled: a receiver that answers 410.
      const gone = await receiver(() => ({ status: 410 }));
      const goneChannel = await newChannel();
      const goneSub = await subscribe(a.token, {
        target: { kind: 'channelsbyname', name: goneChannel },
        kind: 'standard-webhooks',
        url: `${gone.url}/bye?token=s3cret`,
      });
      await api.post(a.token, `channelsbyname/${goneChannel}/message`, { text: 'bye' });
      // token.revoked and user.deactivated from token-service, connection.reauth_required from oauth-refresh's stream.
      const user = await adminPost<{ id: string }>(platform, '/api/v1/admin/users', {
        email: `ops-${randomUUID().slice(0, 8)}@example.com`,
        display_name: 'Ops',
      });
      const minted = await adminPost<{ id: string }>(platform, `/api/v1/admin/users/${user.id}/tokens`, { name: 'to revoke' });
      expect(
        (await fetch(`${platform.services.token.baseUrl}/api/v1/admin/tokens/${minted.id}`, { method: 'DELETE', headers: { 'x-admin-key': ADMIN_KEY } }))
          .status,
      ).toBe(204);
      expect(
        (await fetch(`${platform.services.token.baseUrl}/api/v1/admin/users/${user.id}/deactivate`, { method: 'POST', headers: { 'x-admin-key': ADMIN_KEY } }))
          .status,
      ).toBe(200);
      const nc: NatsConnection = await connect({ servers: platform.env.NATS_URL });
      const connectionId = randomUUID();
      try {
        const failed = {
          connectionId,
          connectorId: randomUUID(),
          userRef: user.id,
          failedAt: new Date().toISOString(),
          status: 'reauth_required',
          error: { code: 'invalid_grant', message: 'revoked at the provider' },
        };
        await nc.jetstream().publish(`${platform.namespace}.zapgate.oauth.connection.failed.v1`, JSON.stringify(failed), { msgID: `failed-${connectionId}` });
      } finally {
        await nc.close();
      }

      const expected = ['connection.reauth_required', 'delivery.exhausted', 'subscription.disabled', 'token.revoked', 'user.deactivated'];
      await until(async () => (expected.every((t) => typesAt(ops).includes(t)) ? true : undefined), 60_000);
      const events = Object.fromEntries(
        ops.received.map((r) => {
          const verified = new Webhook(all.secret).verify(r.body, r.headers as Record<string, string>) as {
            type: string;
            timestamp: string;
            data: Record<string, any>;
          };
          return [verified.type, verified];
        }),
      );
      expect(events['delivery.exhausted'].data).toMatchObject({
        subscription_id: sub.id,
        message_id: messageId,
        target: { kind: 'channel', name: channel },
        attempts: 4,
        last_status_code: 500,
      });
      expect(events['subscription.disabled'].data).toMatchObject({
        subscription_id: goneSub.id,
        reason: expect.stringMatching(/410/),
        url: expect.not.stringContaining('s3cret'),
      });
      expect(events['token.revoked'].data).toMatchObject({ token_id: minted.id, user_id: user.id, reason: 'deleted' });
      expect(events['user.deactivated'].data).toMatchObject({ user_id: user.id });
      expect(events['connection.reauth_required'].data).toMatchObject({
        connection_id: connectionId,
        status: 'reauth_required',
        error: { code: 'invalid_grant' },
      });

      // Event types pick what an endpoint gets; a failing operators' endpoint is retried, dies, and tells nobody (no loop).
      await until(async () => (typesAt(onlyTokens).length ? true : undefined), 30_000);
      const brokenDeliveries = async () => {
        const res = await fetch(`${platform.services.dispatch.baseUrl}/api/v1/admin/operational-webhooks/${failing.id}/deliveries`, { headers: admin });
        return ((await res.json()) as { data: { id: string; status: string; attempts: number }[] }).data;
      };
      const [brokenDelivery] = await until(async () => {
        const rows = await brokenDeliveries();
        return rows.length && rows[0].status === 'dead' ? rows : undefined;
      }, 60_000);
      expect(brokenDelivery.attempts).toBe(4);
      expect(broken.received).toHaveLength(4);
      await sleep(1500);
      expect(typesAt(onlyTokens)).toEqual(['token.revoked']);
      expect(ops.received.filter((r) => JSON.parse(r.body).data.subscription_id === failing.id)).toHaveLength(0);
      // Dead operational deliveries are retried like any other.
      const retried = await fetch(
        `${platform.services.dispatch.baseUrl}/api/v1/admin/operational-webhooks/${failing.id}/deliveries/${brokenDelivery.id}/retry`,
        { method: 'POST', headers: { 'x-admin-key': ADMIN_KEY } },
      );
      expect(((await retried.json()) as { status: string }).status).toBe('pending');
      await until(async () => (broken.received.length > 4 ? true : undefined), 30_000);
      // A user's subscription is not an operational webhook.
      expect((await fetch(`${platform.services.dispatch.baseUrl}/api/v1/admin/operational-webhooks/${sub.id}`, { headers: admin })).status).toBe(404);
      const bad = await fetch(`${platform.services.dispatch.baseUrl}/api/v1/admin/operational-webhooks`, {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({ url: ops.url, event_types: ['message.created'] }),
      });
      expect(bad.status).toBe(400);
    });

    it('sends a subscription its own headers and basic or bearer auth, sealed at rest, never shown or logged', async () => {
      const rx = await receiver((n) => (n === 0 ? { status: 500 } : { status: 200 }));
      const channel = await newChannel();
      const secrets = ['k-secret-4711', 'p@ss-secret-0815', 'tok-secret-9999'];
      const sub = await subscribe(a.token, {
        target: { kind: 'channelsbyname', name: channel },
        kind: 'standard-webhooks',
        url: `${rx.url}/auth`,
        headers: { 'X-Team': 'ops', 'X-Api-Key': secrets[0] },
        auth: { type: 'basic', username: 'ci', password: secrets[1] },
      });
      const shown = JSON.stringify((await api.d(a.token, `/api/v1/subscriptions/${sub.id}`)).body);
      expect(JSON.parse(shown)).toMatchObject({ header_names: ['X-Team', 'X-Api-Key'], auth_type: 'basic' });
      const [stored] = await platform.db.query<{ row: string }>(`SELECT row_to_json(s)::text AS row FROM dispatch.subscription s WHERE id = $1`, [sub.id]);

      await api.post(a.token, `channelsbyname/${channel}/message`, { text: 'with auth' });
      // The first attempt fails (500) and is retried: both carry the headers, and the signature still verifies.
      const [first, second] = await until(async () => (rx.received.length >= 2 ? rx.received : undefined), 30_000);
      for (const r of [first, second]) {
        expect(r.headers).toMatchObject({
          'x-team': 'ops',
          'x-api-key': secrets[0],
          authorization: `Basic ${Buffer.from(`ci:${secrets[1]}`).toString('base64')}`,
        });
        expect(() => new Webhook(sub.secret!).verify(r.body, r.headers as Record<string, string>)).not.toThrow();
      }

      const bearer = await api.d(a.token, `/api/v1/subscriptions/${sub.id}`, {
        method: 'PATCH',
        body: JSON.stringify({ auth: { type: 'bearer', token: secrets[2] }, headers: null }),
      });
      expect(bearer.body).toMatchObject({ header_names: [], auth_type: 'bearer' });
      await api.post(a.token, `channelsbyname/${channel}/message`, { text: 'with a bearer' });
      const third = await until(async () => rx.received[2], 30_000);
      expect(third.headers.authorization).toBe(`Bearer ${secrets[2]}`);
      expect(third.headers['x-team']).toBeUndefined();
      const cleared = await api.d(a.token, `/api/v1/subscriptions/${sub.id}`, { method: 'PATCH', body: JSON.stringify({ auth: null }) });
      expect(cleared.body).toMatchObject({ header_names: [], auth_type: null });

      // Nowhere else: not in the API's answers, the stored row, the attempts, nor the service's log.
      const [dl] = (await api.d(a.token, `/api/v1/subscriptions/${sub.id}/deliveries`)).body.data as { id: string }[];
      const attempts = JSON.stringify((await api.d(a.token, `/api/v1/deliveries/${dl.id}`)).body);
      for (const secret of secrets) {
        for (const [where, text] of Object.entries({
          shown,
          stored: stored.row,
          attempts,
          log: platform.services.dispatch.output(),
          patched: JSON.stringify(bearer.body),
        })) {
          expect([where, text.includes(secret)]).toEqual([where, false]);
        }
      }

      const refused = [
        { headers: { Authorization: 'Bearer x' } },
        { headers: { 'Webhook-Id': 'x' } },
        { headers: { 'Content-Type': 'text/plain' } },
        { headers: { 'X-Evil': 'a\r\nHost: b' } },
        { headers: { 'bad name': 'x' } },
        { headers: { 'X-A': '1', 'x-a': '2' } },
        { headers: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`X-H${i}`, 'v'])) },
        { auth: { type: 'basic', username: 'a:b', password: 'x' } },
        { auth: { type: 'bearer', token: 'two words' } },
        { auth: { type: 'digest', token: 'x' } },
      ];
      for (const body of refused) {
        const res = await api.d(a.token, `/api/v1/subscriptions/${sub.id}`, { method: 'PATCH', body: JSON.stringify(body) });
        expect([JSON.stringify(body), res.status, res.body.code]).toEqual([JSON.stringify(body), 400, 'invalid_parameters']);
      }
    });

    it('takes the messages of several targets when asked, only of those, and only from a member of each', async () => {
      const rx = await receiver();
      const [x, y, z] = [await newChannel(), await newChannel(), await newChannel()];
      const sub = await subscribe(a.token, {
        targets: [
          { kind: 'channelsbyname', name: x },
          { kind: 'channelsbyname', name: y },
        ],
        kind: 'standard-webhooks',
        url: rx.url,
      });
      const shown = (await api.d(a.token, `/api/v1/subscriptions/${sub.id}`)).body;
      expect(shown.target_ids).toHaveLength(2);
      expect(shown.target_id).toBe(shown.target_ids[0]);
      const ids = {
        x: await api.post(a.token, `channelsbyname/${x}/message`, { text: 'in x' }),
        y: await api.post(a.token, `channelsbyname/${y}/message`, { text: 'in y' }),
        z: await api.post(a.token, `channelsbyname/${z}/message`, { text: 'in z' }),
      };
      for (const id of Object.values(ids)) await api.outcome(id, (e) => e.status === 'stored');
      const delivered = ((await api.d(a.token, `/api/v1/subscriptions/${sub.id}/deliveries`)).body.data as { message_id: string }[])
        .map((d) => d.message_id)
        .sort();
      expect(delivered).toEqual([ids.x, ids.y].sort());
      await until(async () => (rx.received.length >= 2 ? true : undefined));

      // b is a member of none of a's channels: naming one of them is the same 404 as naming a channel that does not exist.
      const refused = await api.d(b.token, '/api/v1/subscriptions', {
        method: 'POST',
        body: JSON.stringify({ targets: [{ kind: 'channelsbyname', name: x }], kind: 'standard-webhooks', url: rx.url }),
      });
      expect(refused.status).toBe(404);
      for (const body of [
        { kind: 'standard-webhooks', url: rx.url },
        { target: { kind: 'channelsbyname', name: x }, targets: [{ kind: 'channelsbyname', name: y }], kind: 'standard-webhooks', url: rx.url },
        { targets: [], kind: 'standard-webhooks', url: rx.url },
      ]) {
        expect((await api.d(a.token, '/api/v1/subscriptions', { method: 'POST', body: JSON.stringify(body) })).status).toBe(400);
      }
    });

    it('filters per subscription by source, sender event type and payload, each part required; a patch replaces the filter', async () => {
      const rx = await receiver();
      const channel = unique('filtered');
      expect((await api.d(b.token, '/api/v2/channels', { method: 'POST', body: JSON.stringify({ unique_name: channel }) })).status).toBe(201);
      const target = { kind: 'channelsbyname', name: channel };
      const filters: Record<string, unknown> = {
        all: null,
        github: { sources: ['github'] },
        api: { sources: ['api'] },
        types: { event_types: ['Pull_Request', 'merge request hook'] },
        opened: { payload: { action: 'opened' } },
        labelled: { payload: { pull_request: { labels: [{ name: 'bug' }] } } },
        card: { payload: { card: { theme: 'modern-inline' } } },
        pushes: { sources: ['formatter', 'gitlab'], event_types: ['push'] },
      };
      const subs: Record<string, string> = {};
      for (const [name, filter] of Object.entries(filters)) {
        const sub = await subscribe(b.token, { target, kind: 'standard-webhooks', url: `${rx.url}/${name}`, ...(filter ? { filter } : {}) });
        subs[name] = sub.id;
      }
      expect((await api.d(b.token, `/api/v1/subscriptions/${subs.pushes}`)).body.filter).toEqual({ sources: ['formatter', 'gitlab'], event_types: ['push'] });
      expect((await api.d(b.token, `/api/v1/subscriptions/${subs.all}`)).body.filter).toBeNull();

      const incoming = async (body: string, headers: Record<string, string>) => {
        const res = await fetch(
          `${platform.services.ingest.baseUrl}/api/v2/applications/${b.app.id}/incoming?appkey=${b.app.appkey}&zapikey=${b.appToken}&channel=${channel}`,
          {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...headers },
            body,
          },
        );
        expect([200, 204]).toContain(res.status);
        return res.headers.get('x-zapgate-event-id')!;
      };
      const pr = (labels: string[]) =>
        JSON.stringify({
          action: 'opened',
          number: 9,
          pull_request: {
            number: 9,
            title: 'Filters',
            html_url: 'https://github.com/acme/api/pull/9',
            user: { login: 'ada' },
            labels: labels.map((name) => ({ name })),
          },
          repository: { full_name: 'acme/api', html_url: 'https://github.com/acme/api' },
          sender: { login: 'ada' },
        });
      const gitlab = JSON.stringify({
        object_kind: 'merge_request',
        user: { name: 'Grace' },
        project: { path_with_namespace: 'acme/api' },
        object_attributes: { iid: 7, action: 'open' },
      });
      const sent = {
        push: await incoming(githubPush, { 'x-github-event': 'push', 'x-github-delivery': randomUUID() }),
        pr: await incoming(pr(['bug', 'ui']), { 'x-github-event': 'pull_request', 'x-github-delivery': randomUUID() }),
        mr: await incoming(gitlab, { 'x-gitlab-event': 'Merge Request Hook' }),
        plain: await incoming('action=opened', { 'content-type': 'text/plain', 'x-event-type': 'push' }),
        api: await api.post(b.token, `channelsbyname/${channel}/message`, { text: 'from the api', card: { theme: 'modern-inline', title: 'API' } }),
      };
      for (const id of Object.values(sent)) await api.outcome(id, (e) => e.status === 'stored');
      // A message's deliveries are created with it: once all are stored, each subscription has exactly the ones it matched.
      const delivered = async (name: string) => {
        const res = await api.d(b.token, `/api/v1/subscriptions/${subs[name]}/deliveries?limit=50`);
        return (res.body.data as { message_id: string }[]).map((d) => d.message_id).sort();
      };
      const expected: Record<string, string[]> = {
        all: [sent.push, sent.pr, sent.mr, sent.plain, sent.api],
        github: [sent.push, sent.pr],
        api: [sent.api],
        types: [sent.pr, sent.mr],
        opened: [sent.pr],
        labelled: [sent.pr],
        card: [sent.api],
        pushes: [sent.push, sent.plain],
      };
      for (const [name, ids] of Object.entries(expected)) expect([name, await delivered(name)]).toEqual([name, [...ids].sort()]);
      await until(async () => (rx.received.filter((r) => r.url === '/opened').length === 1 ? true : undefined));

      const cleared = await api.d(b.token, `/api/v1/subscriptions/${subs.api}`, { method: 'PATCH', body: JSON.stringify({ filter: null }) });
      expect(cleared.body.filter).toBeNull();
      const later = await incoming(pr([]), { 'x-github-event': 'pull_request', 'x-github-delivery': randomUUID() });
      await api.outcome(later, (e) => e.status === 'stored');
      expect(await delivered('api')).toEqual([sent.api, later].sort());
      expect(await delivered('labelled')).toEqual([sent.pr]);

      // A burst straight into the stream is stored in multi-row batches: the batch's insert filters alike.
      const nc: NatsConnection = await connect({ servers: platform.env.NATS_URL });
      const burst: { id: string; event: string }[] = [];
      try {
        const js = nc.jetstream();
        await Promise.all(
          Array.from({ length: 40 }, (_, i) => {
            const eventId = randomUUID();
            const event = i % 2 ? 'pull_request' : 'push';
            burst.push({ id: eventId, event });
            const request = {
              method: 'POST',
              headers: { 'x-github-event': event, 'content-type': 'application/json' },
              parameters: { channel },
              contentType: 'application/json',
              body: event === 'push' ? githubPush : pr([]),
            };
            const payload = {
              eventId,
              receivedAt: new Date().toISOString(),
              source: 'application-incoming',
              userId: b.userId,
              tokenId: randomUUID(),
              target: { kind: 'application', id: b.app.id },
              appId: b.app.id,
              request,
            };
            return js.publish(`${platform.namespace}.zapgate.webhook.received.v1`, JSON.stringify(payload), { msgID: eventId });
          }),
        );
      } finally {
        await nc.close();
      }
      await until(async () => {
        const rows = await platform.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM dispatch.message WHERE event_id = ANY($1::uuid[])`, [
          burst.map((e) => e.id),
        ]);
        return rows[0].n === burst.length ? true : undefined;
      }, 60_000);
      const prs = burst.filter((e) => e.event === 'pull_request').map((e) => e.id);
      expect(await delivered('types')).toEqual([sent.pr, sent.mr, later, ...prs].sort());
      expect(await delivered('opened')).toEqual([sent.pr, later, ...prs].sort());

      for (const filter of [{ sources: ['email'] }, { payload: {} }, { event_types: [] }, { colour: 'red' }, { payload: { big: 'x'.repeat(5000) } }]) {
        const res = await api.d(b.token, '/api/v1/subscriptions', {
          method: 'POST',
          body: JSON.stringify({ target, kind: 'standard-webhooks', url: rx.url, filter }),
        });
        expect([JSON.stringify(filter), res.status, res.body.code]).toEqual([JSON.stringify(filter), 400, 'invalid_parameters']);
      }
    });

    it('delivers in stored order with max_concurrency 1 when every attempt succeeds', async () => {
      const rx = await receiver(() => ({ status: 200, delayMs: 20 }));
      const channel = await newChannel();
      await subscribe(a.token, { target: { kind: 'channelsbyname', name: channel }, kind: 'standard-webhooks', url: rx.url, max_concurrency: 1 });
      const texts = Array.from({ length: 60 }, (_, i) => `m${i}`);
      await postInOrder(channel, texts);
      await until(async () => (rx.received.length >= texts.length ? true : undefined), 60_000);
      expect(rx.received.map(textOf)).toEqual(texts);
    });

    it('strict FIFO: hundreds of messages through a receiver that sometimes fails arrive in order, each delivered once', async () => {
      // Every 23rd request fails, some with 500 and some with a timeout-free 503: the head is retried, nothing overtakes it.
      const rx = await receiver((n) => (n % 23 === 5 ? { status: n % 2 ? 500 : 503 } : { status: 200 }));
      const channel = await newChannel();
      const sub = await subscribe(a.token, {
        target: { kind: 'channelsbyname', name: channel },
        kind: 'standard-webhooks',
        url: rx.url,
        ordering: 'strict',
        max_concurrency: 8,
      });
      expect((await api.d(a.token, `/api/v1/subscriptions/${sub.id}`)).body.ordering).toBe('strict');
      const texts = Array.from({ length: 200 }, (_, i) => `s${i}`);
      await postInOrder(channel, texts);
      const ok = (_: unknown, i: number) => i % 23 !== 5; // the receiver answered 2xx to request i
      await until(async () => (rx.received.filter(ok).length >= texts.length ? true : undefined), 120_000);
      const arrivals = rx.received.map(textOf);
      expect(rx.received.filter(ok).map(textOf)).toEqual(texts);
      // A failed message is retried before anything after it is sent: it arrives twice in a row.
      rx.received.forEach((r, i) => {
        if (!ok(r, i)) expect(arrivals[i + 1]).toBe(arrivals[i]);
      });
    });

    it('signs standard webhooks that the standardwebhooks library verifies, also through a secret rotation', async () => {
      const rx = await receiver();
      const channel = await newChannel();
      const sub = await subscribe(a.token, { target: { kind: 'channelsbyname', name: channel }, kind: 'standard-webhooks', url: `${rx.url}/hook` });
      const messageId = await api.post(a.token, `channelsbyname/${channel}/message`, { text: 'signed', card: { title: 'T' } });
      const first = await until(async () => rx.received[0]);
      const payload = new Webhook(sub.secret!).verify(first.body, first.headers as Record<string, string>) as any;
      expect(payload).toMatchObject({
        type: 'message.created',
        data: { id: messageId, target: { kind: 'channel', name: channel }, content: { text: 'signed' } },
      });

      const rotated = (await api.d(a.token, `/api/v1/subscriptions/${sub.id}/secret/rotate`, { method: 'POST', body: '{}' })).body as { secret: string };
      await api.post(a.token, `channelsbyname/${channel}/message`, { text: 'after rotation' });
      const second = await until(async () => rx.received[1]);
      expect(() => new Webhook(sub.secret!).verify(second.body, second.headers as Record<string, string>)).not.toThrow();
      expect(() => new Webhook(rotated.secret).verify(second.body, second.headers as Record<string, string>)).not.toThrow();
      expect((await api.d(a.token, `/api/v1/subscriptions/${sub.id}/secret`)).body.secret).toBe(rotated.secret);
      expect((await api.d(b.token, `/api/v1/subscriptions/${sub.id}`)).status).toBe(404);
      const listed = await until(async () => ((await deliveries(sub.id)).every((d) => d.status === 'succeeded') ? deliveries(sub.id) : undefined));
      expect(listed).toHaveLength(2);
    });

    it('retries 500s, timeouts and slow bodies with backoff, honours 429 Retry-After, then dead-letters; retry brings it back', async () => {
      const rx = await receiver(
        (n) =>
          [
            { status: 500 },
            { status: 429, headers: { 'retry-after': '2' } },
            { status: 200, delayMs: 3000 },
            { status: 200, trickleMs: 400, body: 'slow body' },
          ][n] ?? { status: 200 },
      );
      const channel = await newChannel();
      const sub = await subscribe(a.token, { target: { kind: 'channelsbyname', name: channel }, kind: 'standard-webhooks', url: rx.url });
      await api.post(a.token, `channelsbyname/${channel}/message`, { text: 'persist' });
      const [done] = await until(async () => {
        const list = await deliveries(sub.id);
        return list[0]?.status === 'dead' ? list : undefined;
      }, 20_000);
      const detail = (await api.d(a.token, `/api/v1/deliveries/${done.id}`)).body;
      expect(detail.attempts.map((t: any) => t.status_code ?? t.error.split(':')[0])).toEqual([500, 429, 'timeout', 'timeout']);
      // The 429 asked for 2 s; the schedule alone would have waited 1 s.
      expect(rx.received[2].at - rx.received[1].at).toBeGreaterThanOrEqual(1900);
      expect(rx.received[1].at - rx.received[0].at).toBeLessThan(1900);
      expect(new Set(rx.received.map((r) => r.headers['webhook-id'])).size).toBe(1);

      rx.behave(() => ({ status: 200 }));
      const retried = await api.d(a.token, `/api/v1/deliveries/${done.id}/retry`, { method: 'POST' });
      expect(retried.status).toBe(200);
      await until(async () => ((await deliveries(sub.id))[0].status === 'succeeded' ? true : undefined));
      expect(rx.received).toHaveLength(5);

      rx.behave(() => ({ status: 503 }));
      const since = new Date().toISOString();
      await api.post(a.token, `channelsbyname/${channel}/message`, { text: 'a' });
      await api.post(a.token, `channelsbyname/${channel}/message`, { text: 'b' });
      await until(async () => ((await deliveries(sub.id)).filter((d) => d.status === 'dead').length === 2 ? true : undefined), 20_000);
      rx.behave(() => ({ status: 204 }));
      const requeued = await api.d(a.token, `/api/v1/subscriptions/${sub.id}/retry-failed`, { method: 'POST', body: JSON.stringify({ since }) });
      expect(requeued.body).toEqual({ requeued: 2 });
      await until(async () => ((await deliveries(sub.id)).every((d) => d.status === 'succeeded') ? true : undefined));
      expect(await api.metrics()).toMatch(/zapgate_deliveries_total\{kind="standard-webhooks",outcome="retry"[^}]*\} [1-9]/);
    }, 60_000);

    it('disables a subscription that answers 410, and one that keeps failing for longer than allowed', async () => {
      const gone = await receiver(() => ({ status: 410 }));
      const channel = await newChannel();
      const sub = await subscribe(a.token, { target: { kind: 'channelsbyname', name: channel }, kind: 'slack', url: `${gone.url}/services/T/B/x` });
      await api.post(a.token, `channelsbyname/${channel}/message`, { text: 'anyone?' });
      const disabled = await until(async () => {
        const s = (await api.d(a.token, `/api/v1/subscriptions/${sub.id}`)).body;
        return s.status === 'disabled' ? s : undefined;
      });
      expect(disabled.disabled_reason).toBe('the endpoint answered 410 Gone');
      expect(disabled.url).toBe(`${gone.url}/…`);

      const failing = await receiver(() => ({ status: 500 }));
      const channel2 = await newChannel();
      const sub2 = await subscribe(a.token, { target: { kind: 'channelsbyname', name: channel2 }, kind: 'standard-webhooks', url: failing.url });
      // Each message fails its 4 attempts in about 3 s; new ones keep the endpoint failing past the 10 s limit.
      let s2: any;
      for (let i = 0; i < 12 && s2?.status !== 'disabled'; i++) {
        await api.post(a.token, `channelsbyname/${channel2}/message`, { text: `try ${i}` });
        await sleep(2000);
        s2 = (await api.d(a.token, `/api/v1/subscriptions/${sub2.id}`)).body;
      }
      expect(s2.disabled_reason).toMatch(/^failing without a success for \d+ s$/);
      expect(await api.metrics()).toMatch(/zapgate_subscriptions\{status="disabled"[^}]*\} [1-9]/);
      const enabled = await api.d(a.token, `/api/v1/subscriptions/${sub2.id}/enable`, { method: 'POST' });
      expect(enabled.body).toMatchObject({ status: 'active', disabled_reason: null, failing_since: null });
    }, 40_000);

    it('maps messages to Slack and Mattermost within their limits', async () => {
      const slack = await receiver();
      const mattermost = await receiver();
      const channel = await newChannel();
      await subscribe(a.token, { target: { kind: 'channelsbyname', name: channel }, kind: 'slack', url: `${slack.url}/services/T0/B0/secret` });
      await subscribe(a.token, { target: { kind: 'channelsbyname', name: channel }, kind: 'mattermost', url: `${mattermost.url}/hooks/abc` });
      await api.post(a.token, `channelsbyname/${channel}/message`, {
        text: 'See [the build](https://ci.example.com/1)',
        card: { title: 'Build passed' },
        buttons: [{ label: 'Open', type: '+', action: { type: 'open.url', data: { web: 'https://ci.example.com/1' } } }],
      });
      const s = JSON.parse((await until(async () => slack.received[0])).body);
      expect(s.text).toContain('<https://ci.example.com/1|the build>');
      expect(s.blocks).toEqual([
        { type: 'header', text: { type: 'plain_text', text: 'Build passed' } },
        { type: 'section', text: { type: 'mrkdwn', text: 'See <https://ci.example.com/1|the build>' } },
        { type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open' }, url: 'https://ci.example.com/1' }] },
      ]);
      expect(JSON.parse((await until(async () => mattermost.received[0])).body).text).toBe(
        '**Build passed**\n\nSee [the build](https://ci.example.com/1)\n\n[Open](https://ci.example.com/1)',
      );

      // 20 slides of 500 characters make a message longer than one Mattermost post: it arrives as consecutive posts.
      const slides = Array.from({ length: 20 }, (_, i) => ({ type: 'text', title: `s${i}`, data: 'x'.repeat(470) }));
      await api.post(a.token, `channelsbyname/${channel}/message`, { text: 'y'.repeat(9000), slides });
      const parts = await until(async () => (mattermost.received.length >= 3 ? mattermost.received.slice(1) : undefined));
      const texts = parts.map((p) => JSON.parse(p.body).text as string);
      expect(texts.every((t) => t.length <= 16_383)).toBe(true);
      expect(texts.join('\n')).toContain('y'.repeat(9000));
      expect(texts.join('\n')).toContain('**s19**');
    });

    it('forwards to a Cliq-compatible API with the stored ZAPI key, once per message', async () => {
      const source = await newChannel();
      const remote = unique('remote');
      // The "remote Cliq" is this platform's own ingest: a real peer that deduplicates on Idempotency-Key.
      const sub = await subscribe(a.token, {
        target: { kind: 'channelsbyname', name: source },
        kind: 'cliq',
        url: platform.services.ingest.baseUrl,
        cliq: { channel: remote, zapikey: b.token },
      });
      expect(JSON.stringify(sub)).not.toContain(b.token);
      await api.post(a.token, `channelsbyname/${source}/message`, { text: 'relayed', card: { title: 'Relay' } });
      const relayed = await until(async () => {
        const m = await api.messages(b.token, 'channelsbyname', remote);
        return m.length ? m : undefined;
      });
      expect(relayed[0].content).toEqual({ text: 'relayed', card: { title: 'Relay' } });
      expect(relayed[0].sender).toEqual({ type: 'user', id: b.userId });
      const stored = await platform.db.query<{ zapikey_sealed: string }>(`SELECT zapikey_sealed FROM dispatch.subscription WHERE id = $1`, [sub.id]);
      expect(stored[0].zapikey_sealed).not.toContain(b.token);
    });

    it("keeps to a subscription's concurrency and rate limits", async () => {
      let inFlight = 0;
      let maxInFlight = 0;
      const slow = await receiver(() => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        setTimeout(() => inFlight--, 100);
        return { status: 204, delayMs: 100 };
      });
      const fast = await receiver(() => ({ status: 204 }));
      const channel = await newChannel();
      await subscribe(a.token, { target: { kind: 'channelsbyname', name: channel }, kind: 'standard-webhooks', url: slow.url, max_concurrency: 1 });
      await subscribe(a.token, {
        target: { kind: 'channelsbyname', name: channel },
        kind: 'standard-webhooks',
        url: fast.url,
        rate_limit_per_second: 4,
        max_concurrency: 8,
      });
      for (let i = 0; i < 8; i++) await api.post(a.token, `channelsbyname/${channel}/message`, { text: `limited ${i}` });
      await until(async () => (slow.received.length >= 8 && fast.received.length >= 8 ? true : undefined), 15_000);
      expect(maxInFlight).toBe(1);
      // A burst of four (one second's worth), then one every 250 ms: eight take about a second.
      expect(fast.received[7].at - fast.received[0].at).toBeGreaterThanOrEqual(900);
    });

    it('refuses private and link-local addresses unless allow-listed, with a 400', async () => {
      const channel = await newChannel();
      for (const url of ['http://10.1.2.3/hook', 'http://169.254.169.254/latest/meta-data', 'http://[::1]:8080/x', 'http://192.168.0.10/']) {
        const res = await api.d(a.token, '/api/v1/subscriptions', {
          method: 'POST',
          body: JSON.stringify({ target: { kind: 'channelsbyname', name: channel }, kind: 'standard-webhooks', url }),
        });
        expect(res.status).toBe(400);
        expect(res.body.code).toBe('outbound_url_refused');
      }
      const bad = await api.d(a.token, '/api/v1/subscriptions', {
        method: 'POST',
        body: JSON.stringify({ target: { kind: 'channelsbyname', name: channel }, kind: 'ftp', url: 'ftp://x' }),
      });
      expect(bad.status).toBe(400);
      const notMine = await api.d(b.token, '/api/v1/subscriptions', {
        method: 'POST',
        body: JSON.stringify({ target: { kind: 'channelsbyname', name: channel }, kind: 'standard-webhooks', url: 'http://127.0.0.1:9/x' }),
      });
      expect(notMine.status).toBe(404);
    });

    it('reports consumer lag and delivery latency on /metrics', async () => {
      const text = await api.metrics();
      expect(text).toMatch(/zapgate_dispatch_consumer_pending\{[^}]*\} \d+/);
      expect(text).toMatch(/zapgate_delivery_attempt_seconds_count\{[^}]*kind="standard-webhooks"[^}]*\} [1-9]/);
      expect(text).toMatch(/zapgate_dead_letters\{kind="delivery"[^}]*\} \d+/);
    });
  });

  it('exposes its routes in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${platform.services.dispatch.baseUrl}/docs/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/subscriptions',
        '/api/v1/deliveries/{id}/retry',
        '/api/v2/{collection}/{name}/messages/stream',
        '/api/v1/applications/{appId}/handler-secret',
      ]),
    );
  });
});

interface StreamEvent {
  id: string;
  data: StoredMessage;
}

/** A minimal SSE reader over fetch: collects `message` events until closed. */
function openStream(url: string, token: string, lastEventId?: string) {
  const controller = new AbortController();
  const events: StreamEvent[] = [];
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((r) => (markReady = r));
  void (async () => {
    try {
      const res = await fetch(url, {
        headers: { authorization: `Zoho-oauthtoken ${token}`, ...(lastEventId ? { 'last-event-id': lastEventId } : {}) },
        signal: controller.signal,
      });
      markReady();
      const decoder = new TextDecoder();
      let buffer = '';
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = Object.fromEntries(
            block
              .split('\n')
              .filter((l) => !l.startsWith(':'))
              .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]),
          );
          if (fields.event === 'message') events.push({ id: fields.id, data: JSON.parse(fields.data) as StoredMessage });
        }
      }
    } catch {
      markReady();
    }
  })();
  return { events, ready, close: () => controller.abort() };
}
