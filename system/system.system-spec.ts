import { randomUUID } from 'node:crypto';
import { connect as connectNats } from 'nats';
import { Client } from 'pg';
import { startReceiver, type Receiver } from '../e2e/receivers';
import { browse } from '../e2e/oauth/browser';
import { RotatingProvider } from './rotating-provider';
import { SERVICE_NAMES, SystemEnv } from './system-env';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const githubExamples = require('@octokit/webhooks-examples') as { name: string; examples: unknown[] }[];
const githubPush = JSON.stringify(githubExamples.find((e) => e.name === 'push')!.examples[0]);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const CHANNELS = ['sys-a', 'sys-b', 'sys-c'];
const ACCESS_TTL = 8;

interface Sent {
  key: string;
  eventId: string;
  kind: 'post' | 'github' | 'gitlab';
}

/**
 * The platform as people run it — every service twice, its own PostgreSQL and
 * NATS — under a mixed load, while one replica of each service is killed, NATS
 * and PostgreSQL restart and an outbound receiver is blocked. Every request
 * answered 2xx must end up stored exactly once and delivered; no OAuth
 * connection may be refreshed twice.
 */
describe('system: replicas, faults and a ledger', () => {
  const system = new SystemEnv();
  const provider = new RotatingProvider(ACCESS_TTL);
  let receiver: Receiver;
  let receiverBlocked = false;

  beforeAll(async () => {
    await provider.start();
    receiver = await startReceiver(() => (receiverBlocked ? { status: 503 } : { status: 204 }));
    await system.start({
      OUTBOUND_ALLOWED_CIDRS: '127.0.0.0/8',
      INGEST_RATE_LIMIT_PER_MINUTE: '1000000',
      INGEST_IP_FLOOD_PER_MINUTE: '10000000',
      DISPATCH_ACK_WAIT_MS: '5000',
      DELIVERY_RETRY_SCHEDULE: '1,1,2,2,3,3,5,5,10,10,20,20,30,30',
      DELIVERY_JITTER: '0.1',
      DELIVERY_POLL_MS: '200',
      DELIVERY_TIMEOUT_MS: '3000',
      REFRESH_MARGIN_SECONDS: '60',
      REFRESH_JITTER_SECONDS: '1',
      REFRESH_SCHEDULER_INTERVAL_MS: '250',
      REFRESH_LEASE_SECONDS: '8',
      PROVIDER_TIMEOUT_MS: '3000',
      TOKEN_CACHE_TTL_MS: '1000',
    });
  }, 180_000);

  afterAll(async () => {
    await system.stop();
    await receiver?.close();
    await provider.close();
  }, 60_000);

  it('answers, stores once and delivers through kill -9 of every service, NATS and PostgreSQL restarts and a blocked receiver', async () => {
    const [token, ingest, dispatch, oauth] = SERVICE_NAMES.map((n) => system.urls(n));
    const admin = async (base: string, path: string, body?: unknown, method = body === undefined ? 'GET' : 'POST') => {
      const res = await fetch(base + path, {
        method,
        headers: { 'x-admin-key': system.adminKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
      return text ? JSON.parse(text) : undefined;
    };

    // Setup: a user with a token, an application token for webhooks, channels with a subscription each.
    await admin(token[0], '/api/v1/admin/users', { email: 'system@example.com', display_name: 'System', password: 'system-password-0123' });
    const session = (
      (await fetch(`${token[0]}/api/v1/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'system@example.com', password: 'system-password-0123' }),
      }).then((r) => r.json())) as { session_token: string }
    ).session_token;
    const mint = async (base: string, name: string) => {
      const res = await fetch(`${base}/api/v1/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${session}` },
        body: JSON.stringify({ name }),
      });
      if (res.status !== 201) throw new Error(`mint: ${res.status}`);
      return (await res.json()) as { id: string; token: string };
    };
    let current = await mint(token[0], 'load');
    let zapikey = current.token;
    const app = await admin(token[0], '/api/v1/admin/applications', { name: 'System app', owner_email: 'dev@example.com' });
    const invoked = await fetch(`${token[0]}/api/v2/applications/${app.id}/functions/connect/invoke?appkey=${app.appkey}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-owner-key': app.owner_key },
      body: JSON.stringify({
        user: { id: '1', email: 'system@example.com' },
        button: {
          label: 'Connect',
          type: '+',
          action: { type: 'invoke.function', data: { name: 'connect' }, confirm: { title: 'T', description: 'D', input: { type: 'user_webhook_token' } } },
        },
      }),
    }).then((r) => r.json() as Promise<{ slides: { data: { Token: string }[] }[] }>);
    const appToken = invoked.slides[0].data[0].Token;
    for (const name of CHANNELS) {
      const headers = { 'content-type': 'application/json', authorization: `Zoho-oauthtoken ${zapikey}` };
      await fetch(`${dispatch[0]}/api/v2/channels`, { method: 'POST', headers, body: JSON.stringify({ unique_name: name }) });
      const sub = await fetch(`${dispatch[0]}/api/v1/subscriptions`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ target: { kind: 'channelsbyname', name }, kind: 'standard-webhooks', url: `${receiver.url}/${name}` }),
      });
      expect(sub.status).toBe(201);
    }

    // OAuth: connections through the real code flow, refreshed every few seconds from here on.
    const connector = await admin(oauth[0], '/api/v1/connectors', {
      name: 'rotating',
      client_id: 'system',
      client_secret: 'system-secret',
      authorization_url: `${provider.url}/auth`,
      token_url: `${provider.url}/token`,
    });
    const connections: string[] = [];
    for (let i = 0; i < 10; i++) {
      const link = await admin(oauth[0], `/api/v1/connectors/${connector.id}/authorize-links`, { user: `sys-${i}` });
      const done = await browse(link.url);
      expect(done.status).toBe(200);
      connections.push(JSON.parse(done.body).connection_id);
    }

    // The load: direct posts and GitHub/GitLab-shaped webhooks, each with an idempotency key that a retry reuses.
    const sent: Sent[] = [];
    const unexpected: string[] = [];
    let answered2xx = 0;
    let retries = 0;
    let stop = false;
    let n = 0;
    const send = async (kind: Sent['kind'], worker: number) => {
      const key = randomUUID();
      const channel = CHANNELS[n++ % CHANNELS.length];
      for (let attempt = 0; attempt < 40 && !stop; attempt++) {
        const base = ingest[(worker + attempt) % ingest.length];
        const request: { url: string; body: string; headers: Record<string, string> } =
          kind === 'post'
            ? {
                url: `${base}/api/v2/channelsbyname/${channel}/message`,
                body: JSON.stringify({ text: `post ${key}` }),
                headers: { 'idempotency-key': key, authorization: `Zoho-oauthtoken ${zapikey}` },
              }
            : kind === 'github'
              ? {
                  url: `${base}/api/v2/applications/${app.id}/incoming?appkey=${app.appkey}&zapikey=${appToken}&channel=${channel}`,
                  body: githubPush,
                  headers: { 'x-github-event': 'push', 'x-github-delivery': key },
                }
              : {
                  url: `${base}/api/v2/applications/${app.id}/incoming?appkey=${app.appkey}&zapikey=${appToken}&channel=${channel}`,
                  body: JSON.stringify({
                    object_kind: 'merge_request',
                    user: { name: 'Load' },
                    project: { path_with_namespace: 'sys/p' },
                    object_attributes: { iid: n, title: key, action: 'open' },
                  }),
                  headers: { 'x-gitlab-event': 'Merge Request Hook', 'idempotency-key': key },
                };
        try {
          const res = await fetch(request.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...request.headers },
            body: request.body,
            signal: AbortSignal.timeout(10_000),
          });
          if (res.status === 200 || res.status === 204) {
            answered2xx++;
            sent.push({ key, eventId: res.headers.get('x-zapgate-event-id')!, kind });
            await res.arrayBuffer();
            return;
          }
          // 503 while a dependency is down, 401 while a token is being re-verified through an outage; nothing else.
          if (res.status !== 401 && res.status !== 503) unexpected.push(`${kind} ${res.status} ${await res.text().catch(() => '')}`);
        } catch (err) {
          // Refused, reset or timed out while a process is down (fetch's errors come from another realm: compare names).
          if (!['TypeError', 'TimeoutError', 'AbortError'].includes((err as Error).name)) throw err;
        }
        retries++;
        await sleep(250);
      }
    };
    const workers = Array.from({ length: 6 }, async (_, w) => {
      while (!stop) {
        await send((['post', 'post', 'github', 'gitlab'] as const)[w % 4], w);
        await sleep(20);
      }
    });

    // Token churn: a fresh ZAPI key replaces the one in use, and the old one is revoked.
    let revocations = 0;
    let revokedStillAccepted = 0;
    const churn = (async () => {
      while (!stop) {
        await sleep(3000);
        try {
          const old = current;
          current = await mint(token[revocations % 2], `load-${revocations}`);
          zapikey = current.token;
          const deleted = await fetch(`${token[(revocations + 1) % 2]}/api/v1/tokens/${old.id}`, {
            method: 'DELETE',
            headers: { authorization: `Bearer ${session}` },
          });
          if (deleted.status !== 204) continue;
          revocations++;
          await sleep(2500);
          const probe = await fetch(`${ingest[revocations % 2]}/api/v2/channelsbyname/${CHANNELS[0]}/message`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Zoho-oauthtoken ${old.token}` },
            body: '{"text":"revoked?"}',
          });
          if (probe.status === 204) revokedStillAccepted++;
        } catch {
          // a fault is in progress; the next round tries again
        }
      }
    })();

    // The faults, one after another, under load.
    const faults: string[] = [];
    const phase = async (label: string, action: () => Promise<void>) => {
      await sleep(3000);
      const t0 = Date.now();
      await action();
      faults.push(`${label} (${Date.now() - t0} ms)`);
    };
    await phase('kill -9 one replica of every service', async () => {
      await Promise.all(SERVICE_NAMES.map((name, i) => system.crash(name, i % 2, 1500)));
    });
    await phase('restart NATS', () => system.restartNats(2000));
    await phase('restart PostgreSQL', () => system.restartPostgres(2000));
    await phase('block the outbound receiver for 8 s', async () => {
      receiverBlocked = true;
      await sleep(8000);
      receiverBlocked = false;
    });
    let poisonPublished = 0;
    let unstorableAccepted = 0;
    await phase('poison: more unstorable events than max_ack_pending in the stream, unstorable bodies over HTTP', async () => {
      const nc = await connectNats({ servers: system.env.NATS_URL!.split(','), noAsyncTraces: true });
      try {
        const { config } = await (await nc.jetstreamManager()).consumers.info('ZAPGATE_WEBHOOKS', 'message-dispatch-webhooks');
        poisonPublished = (config.max_ack_pending ?? 0) + 100;
        const js = nc.jetstream();
        for (let i = 0; i < poisonPublished; i += 100) {
          await Promise.all(
            Array.from({ length: Math.min(100, poisonPublished - i) }, (_, j) => {
              const eventId = randomUUID();
              const target = { kind: 'user', email: `poison\u0000${i + j}@example.com` };
              const event = {
                eventId,
                receivedAt: new Date().toISOString(),
                source: 'buddy-message',
                userId: randomUUID(),
                tokenId: randomUUID(),
                target,
                message: { text: 'poison' },
              };
              return js.publish('zapgate.webhook.received.v1', JSON.stringify(event), { msgID: eventId });
            }),
          );
        }
      } finally {
        await nc.close();
      }
      for (const body of ['{"text":"nul \\u0000"}', '{"text":"x","card":{"title":"\\ud800"}}']) {
        const res = await fetch(`${ingest[0]}/api/v2/channelsbyname/${CHANNELS[0]}/message`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Zoho-oauthtoken ${zapikey}` },
          body,
        });
        if (res.status < 300) unstorableAccepted++;
        await res.arrayBuffer();
      }
    });
    await sleep(3000);
    stop = true;
    await Promise.all([...workers, churn]);

    // Drain: every acknowledged event stored, every stored message delivered.
    const pg = new Client({ connectionString: system.env.DATABASE_URL });
    await pg.connect();
    try {
      const ids = sent.map((s) => s.eventId);
      let stored: { id: string; text: string | null; content: { card?: { title?: string } } }[] = [];
      const drainUntil = Date.now() + 90_000;
      while (Date.now() < drainUntil) {
        stored = (await pg.query(`SELECT id, text, content FROM dispatch.message WHERE id = ANY($1::uuid[])`, [ids])).rows;
        if (stored.length === ids.length) break;
        await sleep(500);
      }
      const storedIds = new Set(stored.map((m) => m.id));
      const lost = sent.filter((s) => !storedIds.has(s.eventId));
      // A duplicate is the same request (idempotency key) stored under two ids, or any id stored twice.
      const byKey = (await pg.query(`SELECT text, count(*)::int AS n FROM dispatch.message WHERE text LIKE 'post %' GROUP BY text HAVING count(*) > 1`)).rows;
      const eventIdsPerKey = new Map<string, Set<string>>();
      for (const s of sent) eventIdsPerKey.set(s.key, (eventIdsPerKey.get(s.key) ?? new Set()).add(s.eventId));
      const duplicates = byKey.length + [...eventIdsPerKey.values()].filter((set) => set.size > 1).length;

      let delivered = new Set<string>();
      while (Date.now() < drainUntil + 60_000) {
        delivered = new Set(receiver.received.filter((r) => r.body).map((r) => (JSON.parse(r.body) as { data: { id: string } }).data.id));
        if ([...storedIds].every((id) => delivered.has(id))) break;
        await sleep(500);
      }
      const undelivered = [...storedIds].filter((id) => !delivered.has(id)).length;
      let poisoned = { dispatch: 0, ingest: 0 };
      while (Date.now() < drainUntil + 60_000) {
        const [row] = (
          await pg.query(
            `SELECT (SELECT count(*) FROM dispatch.dead_letter WHERE kind = 'rejected_value')::int AS dispatch,
                    (SELECT count(*) FROM ingest.dead_letter WHERE kind = 'rejected_value')::int AS ingest`,
          )
        ).rows as { dispatch: number; ingest: number }[];
        poisoned = row;
        if (row.dispatch >= poisonPublished && row.ingest >= poisonPublished) break;
        await sleep(500);
      }
      const oauthStatus = (await pg.query(`SELECT status, count(*)::int AS n FROM oauth.connection WHERE id = ANY($1::uuid[]) GROUP BY status`, [connections]))
        .rows;

      const ledger = {
        'requests answered 2xx': answered2xx,
        'retried (503, refused or timed out; same idempotency key)': retries,
        'messages stored': stored.length,
        'duplicates stored': duplicates,
        'deliveries made (distinct messages / requests)': `${delivered.size} / ${receiver.received.length}`,
        'messages not delivered': undelivered,
        'token revocations': revocations,
        'revoked tokens still accepted 2.5 s later': revokedStillAccepted,
        'refreshes made': provider.ledger.refreshes,
        'double refreshes': provider.ledger.doubles,
        'late refreshes': provider.ledger.late,
        'OAuth connections by status': JSON.stringify(oauthStatus),
        'answers other than 2xx, 401 or 503': unexpected.length,
        'poison events published / dead-lettered (dispatch, ingest)': `${poisonPublished} / ${poisoned.dispatch}, ${poisoned.ingest}`,
        'unstorable bodies answered 2xx': unstorableAccepted,
        'requests answered 2xx but lost': lost.length,
      };
      process.stdout.write(
        `\nSystem test ledger (2 replicas of each service; faults: ${faults.join('; ')})\n` +
          Object.entries(ledger)
            .map(([k, v]) => `  ${k.padEnd(58)} ${v}`)
            .join('\n') +
          '\n',
      );
      if (unexpected.length)
        process.stdout.write(
          `unexpected answers:\n${unexpected.slice(0, 5).join('\n')}\nservice errors:\n${system
            .logLines((l) => l.includes('"level":"error"'))
            .slice(0, 30)
            .join('\n')}\n`,
        );
      if (provider.ledger.doubles)
        process.stdout.write(
          `oauth-refresh warnings:\n${system
            .logLines((l) => l.includes('"service":"oauth-refresh"') && /"level":"(warn|error)"/.test(l))
            .slice(0, 40)
            .join('\n')}\n`,
        );
      expect(unexpected).toEqual([]);
      expect(lost).toEqual([]);
      expect(unstorableAccepted).toBe(0);
      expect(poisoned).toEqual({ dispatch: poisonPublished, ingest: poisonPublished });
      expect(duplicates).toBe(0);
      expect(undelivered).toBe(0);
      expect(provider.ledger.doubles).toBe(0);
      expect(revokedStillAccepted).toBe(0);
      expect(oauthStatus).toEqual([{ status: 'active', n: connections.length }]);
      expect(answered2xx).toBeGreaterThan(200);
      expect(provider.ledger.refreshes).toBeGreaterThan(connections.length);
    } finally {
      await pg.end();
    }
  }, 300_000);
});
