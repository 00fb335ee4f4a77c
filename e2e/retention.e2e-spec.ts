import { randomUUID } from 'node:crypto';
import { connect, type NatsConnection } from 'nats';
import { dispatchClient } from './dispatch-helpers';
import { adminPost, createFixture, until, type Fixture } from './fixtures';
import { ADMIN_KEY, startPlatform, type Platform } from './platform-env';
import { startReceiver, type Receiver } from './receivers';

const admin = { 'x-admin-key': ADMIN_KEY };

/**
 * What Zapgate keeps and for how long: each policy purges in batches what
 * is older than its period, and only that. Records are aged by moving their
 * timestamps back, as time would.
 */
describe('retention and erasure', () => {
  let platform: Platform;
  let fx: Fixture;
  let api: ReturnType<typeof dispatchClient>;
  let ok: Receiver;
  let failing: Receiver;

  beforeAll(async () => {
    platform = await startPlatform('retention', {
      INGEST_RATE_LIMIT_PER_MINUTE: '1000000',
      OUTBOUND_ALLOWED_CIDRS: '127.0.0.0/8',
      DELIVERY_POLL_MS: '100',
      DELIVERY_RETRY_SCHEDULE: '3600',
      RETENTION_BATCH_SIZE: '10',
      MESSAGE_RETENTION_DAYS: '365',
    });
    fx = await createFixture(platform, 'retention@example.com');
    api = dispatchClient(platform);
    [ok, failing] = await Promise.all([startReceiver(() => ({ status: 200 })), startReceiver(() => ({ status: 500 }))]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([ok?.close(), failing?.close()]);
    await platform?.stop();
  });

  const incoming = async (channel: string, body: string) => {
    const res = await fetch(
      `${platform.services.ingest.baseUrl}/api/v2/applications/${fx.app.id}/incoming?appkey=${fx.app.appkey}&zapikey=${fx.appToken}&channel=${channel}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      },
    );
    expect([200, 204]).toContain(res.status);
    return res.headers.get('x-zapgate-event-id')!;
  };
  const run = async (service: 'ingest' | 'dispatch') => {
    const res = await fetch(`${platform.services[service].baseUrl}/api/v1/${service}/retention/run`, { method: 'POST', headers: admin });
    expect(res.status).toBe(200);
    return Object.fromEntries(((await res.json()) as { data: { name: string; purged: number }[] }).data.map((r) => [r.name, r.purged]));
  };
  const age = (table: string, column: string, days: number, key: string, ids: string[]) =>
    platform.db.query(`UPDATE ${table} SET ${column} = now() - make_interval(days => $1) WHERE ${key} = ANY($2::uuid[])`, [days, ids]);

  it('lists every policy with its period, on each service', async () => {
    const ingest = (
      (await (await fetch(`${platform.services.ingest.baseUrl}/api/v1/ingest/retention`, { headers: admin })).json()) as {
        data: { name: string; days: number }[];
      }
    ).data;
    expect(ingest.map((p) => [p.name, p.days]).sort()).toEqual([
      ['dead_letters', 30],
      ['dedup_keys', 1],
      ['events', 90],
      ['raw_bodies', 30],
    ]);
    const dispatch = (
      (await (await fetch(`${platform.services.dispatch.baseUrl}/api/v1/dispatch/retention`, { headers: admin })).json()) as {
        data: { name: string; days: number }[];
      }
    ).data;
    expect(dispatch.map((p) => [p.name, p.days]).sort()).toEqual([
      ['dead_letters', 30],
      ['delivery_attempts', 30],
      ['messages', 365],
    ]);
    expect((await fetch(`${platform.services.ingest.baseUrl}/api/v1/ingest/retention`)).status).toBe(401);
    const token = (
      (await (await fetch(`${platform.services.token.baseUrl}/api/v1/token-service/retention`, { headers: admin })).json()) as {
        data: { name: string; days: number }[];
      }
    ).data;
    expect(token.map((p) => [p.name, p.days]).sort()).toEqual([
      ['dead_letters', 30],
      ['usage_counts', 90],
      ['usage_reports', 1],
    ]);
  });

  it("purges tokens' hourly usage counts after 90 days, and keeps younger hours", async () => {
    await api.post(fx.token, 'buddies/usage-friend@example.com/message', { text: 'counted' });
    const [{ token_id }] = await until(async () => {
      const rows = await platform.db.query<{ token_id: string }>(`SELECT token_id FROM token.usage_hourly ORDER BY hour DESC LIMIT 1`);
      return rows.length ? rows : undefined;
    }, 30_000);
    await platform.db.query(
      `INSERT INTO token.usage_hourly (token_id, hour, count) VALUES ($1, date_trunc('hour', now()) - interval '100 days', 7), ($1, date_trunc('hour', now()) - interval '89 days', 3)`,
      [token_id],
    );
    const res = await fetch(`${platform.services.token.baseUrl}/api/v1/token-service/retention/run`, { method: 'POST', headers: admin });
    const purged = Object.fromEntries(((await res.json()) as { data: { name: string; purged: number }[] }).data.map((r) => [r.name, r.purged]));
    expect(purged.usage_counts).toBe(1);
    const left = await platform.db.query<{ days: number }>(
      `SELECT round(extract(epoch FROM now() - hour) / 86400)::int AS days FROM token.usage_hourly WHERE token_id = $1 ORDER BY hour`,
      [token_id],
    );
    expect(left[0].days).toBe(89);
  });

  it("purges raw bodies after 30 days and events after 90, in batches, leaving younger ones; a purged event's body cannot be replayed", async () => {
    const channel = `ret-${randomUUID().slice(0, 8)}`;
    const old: string[] = [];
    for (let i = 0; i < 25; i++) old.push(await incoming(channel, JSON.stringify({ secret_ish: `old body ${i}` })));
    const ancient = await incoming(channel, '{"ancient":true}');
    const young = await incoming(channel, '{"young":true}');
    for (const id of [...old, ancient, young]) await api.outcome(id, (e) => e.status === 'stored', 30_000);
    await age('"ingest"."webhook_event"', 'received_at', 40, 'event_id', old);
    await age('"ingest"."webhook_event"', 'received_at', 100, 'event_id', [ancient]);

    const purged = await run('ingest');
    // 25 old bodies in batches of 10, and the ancient one's (it goes as an event too, after its body).
    expect(purged).toMatchObject({ raw_bodies: 26, events: 1 });
    const rows = await platform.db.query<{ event_id: string; has_body: boolean; purged: boolean }>(
      `SELECT event_id, request ? 'body' AS has_body, body_purged_at IS NOT NULL AS purged FROM ingest.webhook_event WHERE event_id = ANY($1::uuid[])`,
      [[...old, ancient, young]],
    );
    const byId = new Map(rows.map((r) => [r.event_id, r]));
    expect(byId.has(ancient)).toBe(false);
    expect((await platform.db.query(`SELECT 1 FROM ingest.event_outcome WHERE event_id = $1`, [ancient])).length).toBe(0);
    expect(old.every((id) => byId.get(id)?.purged && !byId.get(id)?.has_body)).toBe(true);
    expect(byId.get(young)).toMatchObject({ has_body: true, purged: false });

    const event = (await (await fetch(`${platform.services.ingest.baseUrl}/api/v1/events/${old[0]}`, { headers: admin })).json()) as any;
    expect(event).toMatchObject({ status: 'stored', body_purged_at: expect.any(String), request: { method: 'POST' } });
    expect(event.request.body).toBeUndefined();
    const replay = await fetch(`${platform.services.ingest.baseUrl}/api/v1/events/${old[0]}/replay`, { method: 'POST', headers: admin });
    expect(replay.status).toBe(409);
    expect(((await replay.json()) as { code: string }).code).toBe('body_purged');
    // The messages made from them stay: messages have their own period.
    expect((await api.messages(fx.token, 'channelsbyname', channel)).length).toBe(27);
    // A second run finds nothing more.
    expect(await run('ingest')).toMatchObject({ raw_bodies: 0, events: 0 });
    const metrics = await (await fetch(`${platform.services.ingest.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/zapgate_retention_purged_total\{[^}]*policy="raw_bodies"[^}]*\} 26/);
  });

  it('purges finished deliveries with their attempts, and old messages unless a delivery of theirs is pending', async () => {
    const channel = `ret-${randomUUID().slice(0, 8)}`;
    await api.d(fx.token, '/api/v2/channels', { method: 'POST', body: JSON.stringify({ unique_name: channel }) });
    const sub = (
      await api.d(fx.token, '/api/v1/subscriptions', {
        method: 'POST',
        body: JSON.stringify({ target: { kind: 'channelsbyname', name: channel }, kind: 'standard-webhooks', url: ok.url }),
      })
    ).body;
    const ids = [
      await api.post(fx.token, `channelsbyname/${channel}/message`, { text: 'delivered long ago' }),
      await api.post(fx.token, `channelsbyname/${channel}/message`, { text: 'delivered today' }),
    ];
    const done = await until(async () => {
      const rows = (await api.d(fx.token, `/api/v1/subscriptions/${sub.id}/deliveries`)).body.data as { id: string; message_id: string; status: string }[];
      return rows.length === 2 && rows.every((d) => d.status === 'succeeded') ? rows : undefined;
    }, 30_000);
    const oldDelivery = done.find((d) => d.message_id === ids[0])!.id;
    await age('"dispatch"."delivery"', 'completed_at', 40, 'id', [oldDelivery]);

    // A message whose delivery is pending (its receiver fails, the next attempt is an hour away) is not purged, however old.
    const stuck = `ret-${randomUUID().slice(0, 8)}`;
    await api.d(fx.token, '/api/v2/channels', { method: 'POST', body: JSON.stringify({ unique_name: stuck }) });
    const failingSub = (
      await api.d(fx.token, '/api/v1/subscriptions', {
        method: 'POST',
        body: JSON.stringify({ target: { kind: 'channelsbyname', name: stuck }, kind: 'standard-webhooks', url: failing.url }),
      })
    ).body;
    const pendingMessage = await api.post(fx.token, `channelsbyname/${stuck}/message`, { text: 'still being delivered' });
    await until(async () => (failing.received.length ? true : undefined), 30_000);
    const oldMessage = await api.post(fx.token, `channelsbyname/${stuck}/message`, { text: 'old and undelivered' });
    await api.outcome(oldMessage, (e) => e.status === 'stored');
    await platform.db.query(`DELETE FROM dispatch.delivery WHERE message_id = $1`, [oldMessage]);
    await age('"dispatch"."message"', 'stored_at', 400, 'id', [pendingMessage, oldMessage]);

    const purged = await run('dispatch');
    expect(purged).toMatchObject({ delivery_attempts: 1, messages: 1 });
    const left = await platform.db.query<{ id: string }>(`SELECT id FROM dispatch.delivery WHERE id = $1`, [oldDelivery]);
    expect(left).toHaveLength(0);
    expect(await platform.db.query(`SELECT 1 FROM dispatch.delivery_attempt WHERE delivery_id = $1`, [oldDelivery])).toHaveLength(0);
    const messages = await platform.db.query<{ id: string }>(`SELECT id FROM dispatch.message WHERE id = ANY($1::uuid[])`, [
      [...ids, pendingMessage, oldMessage],
    ]);
    expect(messages.map((m) => m.id).sort()).toEqual([...ids, pendingMessage].sort());
    expect((await api.d(fx.token, `/api/v1/subscriptions/${failingSub.id}/deliveries`)).body.data).toHaveLength(1);
  });

  it('purges dead letters after 30 days on every service that keeps them', async () => {
    const nc: NatsConnection = await connect({ servers: platform.env.NATS_URL });
    try {
      await nc.jetstream().publish(`${platform.namespace}.zapgate.webhook.received.v1`, '{"not":"an event"}');
    } finally {
      await nc.close();
    }
    const letters = await until(async () => {
      const rows = await platform.db.query<{ id: string }>(`SELECT id::text FROM dispatch.dead_letter UNION ALL SELECT id::text FROM ingest.dead_letter`);
      return rows.length >= 2 ? rows : undefined;
    }, 30_000);
    await platform.db.query(`UPDATE dispatch.dead_letter SET created_at = now() - interval '31 days'`);
    await platform.db.query(`UPDATE ingest.dead_letter SET created_at = now() - interval '31 days'`);
    expect(letters.length).toBeGreaterThanOrEqual(2);
    expect((await run('dispatch')).dead_letters).toBeGreaterThanOrEqual(1);
    expect((await run('ingest')).dead_letters).toBeGreaterThanOrEqual(1);
    expect(await platform.db.query(`SELECT 1 FROM dispatch.dead_letter UNION ALL SELECT 1 FROM ingest.dead_letter`)).toHaveLength(0);
  });

  it("erases a user everywhere: their tokens, events, messages, conversation, memberships, subscriptions and connections, and nobody else's", async () => {
    const gone = await createFixture(platform, 'erase-me@example.com');
    const stays = await createFixture(platform, 'stays@example.com');
    const channel = `erase-${randomUUID().slice(0, 8)}`;
    await api.d(gone.token, '/api/v2/channels', { method: 'POST', body: JSON.stringify({ unique_name: channel }) });
    await api.d(gone.token, `/api/v2/channelsbyname/${channel}/members`, { method: 'POST', body: JSON.stringify({ user_ids: [stays.userId] }) });
    const theirs = [
      await api.post(gone.token, `channelsbyname/${channel}/message`, { text: 'mine' }),
      await api.post(gone.token, 'buddies/stays@example.com/message', { text: 'to a friend' }),
    ];
    const toThem = await api.post(stays.token, 'buddies/erase-me@example.com/message', { text: 'to the one who goes' });
    const kept = await api.post(stays.token, `channelsbyname/${channel}/message`, { text: 'not mine' });
    for (const id of [...theirs, toThem, kept]) await api.outcome(id, (e) => e.status === 'stored');
    const sub = (
      await api.d(gone.token, '/api/v1/subscriptions', {
        method: 'POST',
        body: JSON.stringify({ target: { kind: 'channelsbyname', name: channel }, kind: 'standard-webhooks', url: ok.url }),
      })
    ).body;
    expect(sub.id).toBeDefined();
    // Connections as the authorize flow leaves them, one by user id and one by e-mail, and another user's.
    const [connector] = await platform.db.query<{ id: string }>(
      `INSERT INTO oauth.connector (name, preset, client_id, client_secret_sealed, authorization_url, token_url, refresh_url, redirect_url)
       VALUES ('erase', 'generic', 'c', 'x', 'https://p.example/a', 'https://p.example/t', 'https://p.example/t', 'https://z.example/cb') RETURNING id`,
    );
    for (const ref of [gone.userId, 'Erase-Me@example.com', stays.userId])
      await platform.db.query(`INSERT INTO oauth.connection (connector_id, user_ref) VALUES ($1, $2)`, [connector.id, ref]);

    const res = await fetch(`${platform.services.token.baseUrl}/api/v1/admin/users/${gone.userId}/erase`, { method: 'POST', headers: admin });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ user_id: gone.userId, status: 'erasing' });
    // token-service at once: the user, their tokens, and every verifier's cache (the token stops working).
    expect((await fetch(`${platform.services.token.baseUrl}/api/v1/admin/users/${gone.userId}`, { headers: admin })).status).toBe(404);
    expect(await platform.db.query(`SELECT 1 FROM token.token WHERE user_id = $1`, [gone.userId])).toHaveLength(0);
    expect((await api.d(gone.token, `/api/v2/channelsbyname/${channel}/messages`)).status).toBe(401);

    // Each other service as it handles the event, and each records it in its audit log.
    for (const [service, route] of [
      ['ingest', 'ingest'],
      ['dispatch', 'dispatch'],
      ['oauth', 'oauth'],
    ] as const) {
      await until(async () => {
        const audit = await fetch(`${platform.services[service].baseUrl}/api/v1/${route}/audit?action=user.erased&target_id=${gone.userId}`, {
          headers: admin,
        });
        return ((await audit.json()) as { data: unknown[] }).data.length ? true : undefined;
      }, 30_000);
    }
    const count = async (sql: string, params: unknown[]) => (await platform.db.query<{ n: number }>(sql, params))[0].n;
    expect(await count(`SELECT count(*)::int AS n FROM ingest.webhook_event WHERE user_id = $1`, [gone.userId])).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM ingest.webhook_event WHERE user_id = $1`, [stays.userId])).toBeGreaterThanOrEqual(2);
    expect(await count(`SELECT count(*)::int AS n FROM dispatch.message WHERE id = ANY($1::uuid[])`, [[...theirs, toThem]])).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM dispatch.message WHERE id = $1`, [kept])).toBe(1);
    expect(await count(`SELECT count(*)::int AS n FROM dispatch.member WHERE member_id = $1`, [gone.userId])).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM dispatch.subscription WHERE id = $1`, [sub.id])).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM dispatch.channel WHERE unique_name = $1 AND owner_user_id IS NULL`, [channel])).toBe(1);
    expect((await api.messages(stays.token, 'channelsbyname', channel)).map((m) => m.id)).toEqual([kept]);
    const refs = await platform.db.query<{ user_ref: string }>(`SELECT user_ref FROM oauth.connection WHERE connector_id = $1`, [connector.id]);
    expect(refs.map((r) => r.user_ref)).toEqual([stays.userId]);

    // The other user is untouched, and erasing again is a 404: there is no one left.
    expect((await adminPost<{ id: string }>(platform, `/api/v1/admin/users/${stays.userId}/tokens`, { name: 'still here' })).id).toBeDefined();
    expect((await fetch(`${platform.services.token.baseUrl}/api/v1/admin/users/${gone.userId}/erase`, { method: 'POST', headers: admin })).status).toBe(404);
  }, 120_000);
});
