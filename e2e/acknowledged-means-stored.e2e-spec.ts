import { connectTestNats } from '@zapgate/testing';
import { randomUUID } from 'node:crypto';
import { connect as tcpConnect } from 'node:net';
import { headers as natsHeaders, type NatsConnection } from 'nats';
import { dispatchClient } from './dispatch-helpers';
import { adminPost, createFixture, until, type Fixture } from './fixtures';
import { ADMIN_KEY, startPlatform, type Platform } from './platform-env';
import { startReceiver, type Receiver } from './receivers';

const REQUEST_TIMEOUT_MS = 3000;
const MESSAGE_ROUTES = ['channelsbyname/ams-chan/message', 'bots/amsbot/message', 'chats/CT_1234_ams/message', 'buddies/ams-buddy@example.com/message'];

/** A body nesting `depth` objects under `key`, e.g. {"text":"x","k":{"a":{"a":…1}}}. */
const nested = (key: string, depth: number) => `{"text":"x","${key}":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`;

/**
 * Issue #11's findings, reproduced from outside: values PostgreSQL cannot
 * store, deep JSON, poison events in the stream, a receiver's short
 * Retry-After, and bodies that trickle in. Every 2xx must end stored.
 */
describe('acknowledged means stored', () => {
  let platform: Platform;
  let fx: Fixture;
  let api: ReturnType<typeof dispatchClient>;
  let nc: NatsConnection;
  let rx: Receiver;

  beforeAll(async () => {
    platform = await startPlatform('ams', {
      INGEST_RATE_LIMIT_PER_MINUTE: '1000000',
      INGEST_IP_FLOOD_PER_MINUTE: '10000000',
      OUTBOUND_ALLOWED_CIDRS: '127.0.0.0/8',
      DELIVERY_POLL_MS: '100',
      DELIVERY_RETRY_SCHEDULE: '1,3,5',
      DELIVERY_JITTER: '0',
      DISPATCH_MAX_DELIVER: '2',
      HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      LOG_LEVEL: 'error',
    });
    fx = await createFixture(platform, 'ams@example.com');
    api = dispatchClient(platform);
    nc = await connectTestNats();
    rx = await startReceiver();
  }, 120_000);

  afterAll(async () => {
    await nc?.close();
    await rx?.close();
    await platform?.stop();
  });

  const post = (path: string, body: string | Buffer, type = 'application/json', token = fx.token) =>
    fetch(`${platform.services.ingest.baseUrl}/api/v2/${path}`, {
      method: 'POST',
      headers: { 'content-type': type, authorization: `Zoho-oauthtoken ${token}` },
      body,
    });

  it('refuses a string PostgreSQL cannot store (NUL, lone surrogates) with 400 naming the field, on every message route', async () => {
    const cases: [string, string][] = [
      ['{"text":"a\\u0000b"}', 'text'],
      ['{"text":"x","card":{"title":"\\ud800"}}', 'card.title'],
      ['{"text":"x","extra":{"list":["ok","\\udc00"]}}', 'extra.list[1]'],
      ['{"text":"x","extra":{"\\u0000":1}}', 'extra'],
    ];
    for (const route of MESSAGE_ROUTES) {
      for (const [body, path] of cases) {
        const res = await post(route, body);
        const answer = (await res.json()) as { code: string; details?: { path: string }[] };
        expect({ route, body, status: res.status, code: answer.code, path: answer.details?.[0]?.path }).toEqual({
          route,
          body,
          status: 400,
          code: 'invalid_characters',
          path,
        });
      }
    }
    // Form fields and plain text carry NUL bytes too.
    expect((await post(MESSAGE_ROUTES[0], 'text=a%00b', 'application/x-www-form-urlencoded')).status).toBe(400);
    expect((await post(MESSAGE_ROUTES[0], Buffer.from('a\u0000b'), 'text/plain')).status).toBe(400);
    // A well-formed pair is an ordinary character and is stored.
    const ok = await post(MESSAGE_ROUTES[0], '{"text":"pair \\ud83d\\ude00"}');
    expect(ok.status).toBe(204);
  });

  it('bounds nesting depth and key count at parse time with 400, never 500', async () => {
    for (const route of MESSAGE_ROUTES) {
      for (const body of [nested('deep', 5000), `{"text":"x","card":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`]) {
        const res = await post(route, body);
        expect({ route, status: res.status, code: ((await res.json()) as { code: string }).code }).toEqual({ route, status: 400, code: 'invalid_json' });
      }
    }
    const keys = `{"text":"x","extra":{${Array.from({ length: 20_000 }, (_, i) => `"k${i}":1`).join(',')}}}`;
    expect((await post(MESSAGE_ROUTES[0], keys)).status).toBe(400);
    // The operator APIs of the other services parse JSON with the same bounds.
    const res = await fetch(`${platform.services.token.baseUrl}/api/v1/admin/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-admin-key': ADMIN_KEY },
      body: nested('deep', 5000),
    });
    expect(res.status).toBe(400);
    // A moderately nested message is fine.
    expect((await post(MESSAGE_ROUTES[0], nested('ok', 20))).status).toBe(204);
  });

  it('stores an incoming webhook body as the bytes received, whatever they hold', async () => {
    const bodies = [Buffer.from('{"text":"nul \\u0000 escape"}'), Buffer.from([0x7b, 0x00, 0xff, 0xfe, 0x7d]), Buffer.from('plain ✓ text')];
    for (const raw of bodies) {
      const res = await fetch(
        `${platform.services.ingest.baseUrl}/api/v2/applications/${fx.app.id}/incoming?appkey=${fx.app.appkey}&zapikey=${fx.appToken}&channel=ams-raw`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/octet-stream' },
          body: raw,
        },
      );
      expect(res.status).toBe(204);
      const eventId = res.headers.get('x-zapgate-event-id')!;
      const event = await api.outcome(eventId, () => true, 30_000);
      const body = event.request.bodyEncoding === 'base64' ? Buffer.from(event.request.body, 'base64') : Buffer.from(event.request.body, 'utf8');
      expect(body.equals(raw)).toBe(true);
      // Dispatch finished with it (stored, or refused for a reason it names), rather than retrying forever.
      const done = await api.outcome(eventId, (e) => e.status !== 'received', 30_000);
      expect(['stored', 'rejected', 'no_message']).toContain(done.status);
    }
  });

  it('keeps storing other users’ messages while more poison events than max_ack_pending sit in the stream', async () => {
    // Events a buggy or older ingest could have published: contract-valid, but PostgreSQL refuses their target's name.
    const subject = `${platform.namespace}.zapgate.webhook.received.v1`;
    const stream = `${platform.namespace.toUpperCase()}_ZAPGATE_WEBHOOKS`;
    const jsm = await nc.jetstreamManager();
    const { config } = await jsm.consumers.info(stream, `${platform.namespace}-message-dispatch-webhooks`);
    const poison = (config.max_ack_pending ?? 0) + 100;
    const js = nc.jetstream();
    for (let i = 0; i < poison; i += 100) {
      await Promise.all(
        Array.from({ length: Math.min(100, poison - i) }, (_, j) => {
          const eventId = randomUUID();
          const event = {
            eventId,
            receivedAt: new Date().toISOString(),
            source: 'buddy-message',
            userId: randomUUID(),
            tokenId: randomUUID(),
            target: { kind: 'user', email: `victim\u0000${i + j}@example.com` },
            message: { text: `poison ${i + j}` },
          };
          return js.publish(subject, JSON.stringify(event), { msgID: eventId, headers: natsHeaders() });
        }),
      );
    }

    const other = await adminPost<{ id: string }>(platform, '/api/v1/admin/users', { email: 'ams-other@example.com', display_name: 'Other' });
    const { token } = await adminPost<{ token: string }>(platform, `/api/v1/admin/users/${other.id}/tokens`, { name: 'other' });
    const started = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push(await api.post(token, 'buddies/ams-friend@example.com/message', { text: `valid ${i}` }));
    const stored = await until(async () => {
      const rows = await platform.db.query<{ event_id: string }>(`SELECT event_id FROM dispatch.message WHERE event_id = ANY($1::uuid[])`, [ids]);
      return rows.length === ids.length ? rows : undefined;
    }, 60_000);
    process.stdout.write(`poison flood: ${poison} poison events, ${stored.length}/${ids.length} valid messages stored after ${Date.now() - started} ms\n`);
    // The event log kept up as well.
    for (const id of ids) await api.outcome(id, (e) => e.status === 'stored', 30_000);

    // Each poison event is a dead letter with its reason, listed by both services' APIs.
    const letters = await until(async () => {
      const count = await platform.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM dispatch.dead_letter`);
      if (count[0].n < poison) return undefined;
      const res = await fetch(`${platform.services.dispatch.baseUrl}/api/v1/dispatch/dead-letters?limit=20&kind=rejected_value`, {
        headers: { 'x-admin-key': ADMIN_KEY },
      });
      return ((await res.json()) as { data: { id: string; reason: string; consumer: string }[] }).data;
    }, 60_000);
    expect(letters).toHaveLength(20);
    expect(letters[0].reason).toMatch(/refused|invalid/i);
    const one = await fetch(`${platform.services.dispatch.baseUrl}/api/v1/dispatch/dead-letters/${letters[0].id}`, { headers: { 'x-admin-key': ADMIN_KEY } });
    expect(((await one.json()) as { payload: string }).payload).toContain('poison');
    const ingestLetters = await until(async () => {
      const count = await platform.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ingest.dead_letter WHERE consumer LIKE '%event-log'`);
      return count[0].n >= poison ? count[0].n : undefined;
    }, 60_000);
    expect(ingestLetters).toBe(poison);
    const listed = await fetch(`${platform.services.ingest.baseUrl}/api/v1/ingest/dead-letters?limit=5`, { headers: { 'x-admin-key': ADMIN_KEY } });
    expect(((await listed.json()) as { data: { consumer: string }[] }).data[0].consumer).toBe('webhook-ingest-event-log');
    expect(await api.metrics()).toMatch(/zapgate_events_dead_lettered_total\{[^}]*kind="rejected_value"[^}]*\} [1-9]/);
    // Nothing is stuck: the consumers report progress.
    const health = await fetch(`${platform.services.dispatch.baseUrl}/health/consumers`);
    expect(health.status).toBe(200);
  }, 180_000);

  it('retries dispatch dead letters when an operator asks: still dead while the cause lasts, stored once it is gone, never twice', async () => {
    const letters = `${platform.services.dispatch.baseUrl}/api/v1/dispatch/dead-letters`;
    const admin = { 'x-admin-key': ADMIN_KEY, 'content-type': 'application/json' };
    // A fault no retry of the stream mends (a broken trigger, as a bad migration would leave): every store of this channel fails.
    await platform.db.query(`CREATE FUNCTION dispatch.ams_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.text LIKE 'dlq %' THEN RAISE EXCEPTION 'a broken trigger refuses %', NEW.text; END IF; RETURN NEW; END $$`);
    await platform.db.query(`CREATE TRIGGER ams_refuse BEFORE INSERT ON dispatch.message FOR EACH ROW EXECUTE FUNCTION dispatch.ams_refuse()`);
    const ids = [
      await api.post(fx.token, 'channelsbyname/ams-dlq/message', { text: 'dlq first' }),
      await api.post(fx.token, 'channelsbyname/ams-dlq/message', { text: 'dlq second' }),
    ];
    const dead = await until(async () => {
      const res = await fetch(`${letters}?kind=exhausted&status=dead`, { headers: admin });
      const data = ((await res.json()) as { data: { id: string; reason: string; status: string }[] }).data;
      return data.length === 2 ? data.reverse() : undefined;
    }, 60_000);
    expect(dead[0].reason).toMatch(/gave up after 2 deliveries: .*broken trigger refuses dlq first/);

    const retry = (id: string) => fetch(`${letters}/${id}/retry`, { method: 'POST', headers: { 'x-admin-key': ADMIN_KEY } });
    const still = await retry(dead[0].id);
    expect(still.status).toBe(200);
    expect(await still.json()).toMatchObject({ id: dead[0].id, status: 'dead', retry_count: 1, last_error: expect.stringMatching(/broken trigger/) });

    await platform.db.query(`DROP TRIGGER ams_refuse ON dispatch.message; DROP FUNCTION dispatch.ams_refuse()`);
    const fixed = await retry(dead[0].id);
    expect(await fixed.json()).toMatchObject({ status: 'retried', retry_count: 2, last_error: null, retried_at: expect.any(String) });
    // The event ends as if it had never failed: stored, and ingest's record says so.
    expect((await api.outcome(ids[0], (e) => e.status === 'stored', 30_000)).status).toBe('stored');
    const again = await retry(dead[0].id);
    expect(again.status).toBe(409);
    expect(((await again.json()) as { message: string }).message).toMatch(/already retried/);

    const bulk = await fetch(`${letters}/retry`, { method: 'POST', headers: admin, body: JSON.stringify({ kind: 'exhausted' }) });
    expect(await bulk.json()).toEqual({ retried: 1, still_dead: 0, skipped: 0, more: false });
    await api.outcome(ids[1], (e) => e.status === 'stored', 30_000);
    const rows = await platform.db.query<{ event_id: string }>(
      `SELECT m.event_id FROM dispatch.message m WHERE m.event_id = ANY($1::uuid[]) ORDER BY m.store_seq`,
      [ids],
    );
    expect(rows.map((r) => r.event_id)).toEqual(ids);

    expect((await retry('999999999')).status).toBe(404);
    expect((await retry('not-an-id')).status).toBe(404);
    const badBulk = await fetch(`${letters}/retry`, { method: 'POST', headers: admin, body: JSON.stringify({ limit: 0, colour: 'red' }) });
    expect(badBulk.status).toBe(400);
    expect((await fetch(`${letters}/${dead[1].id}/retry`, { method: 'POST' })).status).toBe(401);
    const listed = await fetch(`${letters}?status=retried`, { headers: admin });
    expect(((await listed.json()) as { data: { id: string }[] }).data.map((l) => l.id).sort()).toEqual(dead.map((l) => l.id).sort());
  }, 120_000);

  it('records outcomes in batches where the newest verdict wins, even when an older one arrives later in the same batch', async () => {
    const subject = `${platform.namespace}.zapgate.webhook.processed.v1`;
    const js = nc.jetstream();
    const ids = Array.from({ length: 60 }, () => randomUUID());
    const at = Date.now();
    const verdict = (eventId: string, outcome: string, ms: number, message?: string) =>
      JSON.stringify({
        eventId,
        processedAt: new Date(at + ms).toISOString(),
        outcome,
        attempts: 1,
        messageIds: [],
        ...(message ? { error: { code: 'x', message } } : {}),
      });
    // Newest first, then an older one for the same event: both land in one burst, so mostly in one batch.
    await Promise.all(
      ids.flatMap((id, i) => [
        js.publish(subject, verdict(id, 'rejected', 1000, i === 0 ? 'a sender wrote \u0000 here' : 'newer')),
        js.publish(subject, verdict(id, 'handler_failed', 0, 'older')),
      ]),
    );
    const rows = await until(async () => {
      const found = await platform.db.query<{ event_id: string; outcome: string; message: string }>(
        `SELECT event_id, outcome, error->>'message' AS message FROM ingest.event_outcome WHERE event_id = ANY($1::uuid[])`,
        [ids],
      );
      return found.length === ids.length ? found : undefined;
    }, 30_000);
    expect(new Set(rows.map((r) => r.outcome))).toEqual(new Set(['rejected']));
    expect(rows.find((r) => r.event_id === ids[0])?.message).toBe('a sender wrote \ufffd here');
    const letters = await platform.db.query(`SELECT 1 FROM ingest.dead_letter WHERE consumer LIKE '%event-status'`);
    expect(letters).toHaveLength(0);
  });

  it('does not let a short Retry-After use up the retry schedule', async () => {
    // 503 with Retry-After: 1 for the first 6 s; the schedule (1, 3, 5 s) spans 9 s, so the last attempt must land after the outage.
    let outageUntil = 0;
    rx.behave(() => (Date.now() < outageUntil ? { status: 503, headers: { 'retry-after': '1' } } : { status: 200 }));
    await api.d(fx.token, '/api/v2/channels', { method: 'POST', body: JSON.stringify({ unique_name: 'ams-retry' }) });
    const sub = await api.d(fx.token, '/api/v1/subscriptions', {
      method: 'POST',
      body: JSON.stringify({ target: { kind: 'channelsbyname', name: 'ams-retry' }, kind: 'standard-webhooks', url: `${rx.url}/retry` }),
    });
    expect(sub.status).toBe(201);
    outageUntil = Date.now() + 6000;
    const eventId = await api.post(fx.token, 'channelsbyname/ams-retry/message', { text: 'through the outage' });
    const delivery = await until(async () => {
      const res = await api.d(fx.token, `/api/v1/subscriptions/${sub.body.id}/deliveries`);
      const d = (res.body?.data ?? [])[0];
      return d && d.status !== 'pending' ? d : undefined;
    }, 60_000);
    expect(delivery.status).toBe('succeeded');
    const forEvent = rx.received.filter((r) => r.url === '/retry');
    expect(forEvent.at(-1)!.at).toBeGreaterThanOrEqual(outageUntil);
    expect(eventId).toBeTruthy();
  }, 90_000);

  it('cuts a request whose body trickles in with 408, on every service', async () => {
    for (const service of Object.values(platform.services)) {
      const { port } = new URL(service.baseUrl);
      const started = Date.now();
      const answer = await new Promise<string>((resolve) => {
        let data = '';
        const socket = tcpConnect(Number(port), '127.0.0.1');
        socket.on('error', () => resolve(data));
        socket.on('data', (c) => (data += c.toString()));
        socket.on('close', () => resolve(data));
        socket.write('POST /api/v1/anything HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{');
        const trickle = setInterval(() => (socket.destroyed ? clearInterval(trickle) : socket.write('a')), 500);
        socket.on('close', () => clearInterval(trickle));
        setTimeout(() => socket.destroy(), 30_000);
      });
      const elapsed = Date.now() - started;
      expect({ service: service.name, status: answer.split('\r\n')[0] }).toEqual({ service: service.name, status: 'HTTP/1.1 408 Request Timeout' });
      expect(elapsed).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 100);
    }
    expect(await (await fetch(`${platform.services.ingest.baseUrl}/metrics`)).text()).toMatch(/zapgate_http_request_timeouts_total\{[^}]*\} [1-9]/);
  }, 120_000);
});
