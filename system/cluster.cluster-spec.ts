import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { startReceiver, type Receiver } from '../e2e/receivers';
import { SERVICE_NAMES, SystemEnv } from './system-env';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const CHANNEL = 'cluster';
const USERS = 30;
/** The stream every acknowledged webhook is in (JETSTREAM_REPLICAS=3: one copy per node). */
const WEBHOOKS = 'ZAPGATE_WEBHOOKS';

interface Acked {
  key: string;
  eventId: string;
}

/**
 * The scale-out as docker-compose.scale.yml runs it, on the real engine: three nats-server
 * processes clustered on loopback (streams and KV buckets at 3 replicas), PostgreSQL, two
 * replicas of every service. Under a steady load of posts with a ledger, one NATS node is
 * killed (-9) and started again, then the webhook stream's leader, then a replica of every
 * service. Every post answered 2xx must be stored once and delivered; the only 5xx allowed
 * is 503 while a fault lasts. Cliq's 50 posts a minute hold across the ingest replicas.
 */
describe('cluster: three NATS nodes, every service twice', () => {
  const system = new SystemEnv({ natsNodes: 3 });
  let receiver: Receiver;

  beforeAll(async () => {
    receiver = await startReceiver(() => ({ status: 204 }));
    await system.start({
      OUTBOUND_ALLOWED_CIDRS: '127.0.0.0/8',
      INGEST_RATE_LIMIT_PER_MINUTE: '50',
      INGEST_IP_FLOOD_PER_MINUTE: '10000000',
      DISPATCH_ACK_WAIT_MS: '5000',
      DELIVERY_POLL_MS: '200',
      DELIVERY_TIMEOUT_MS: '3000',
      DELIVERY_RETRY_SCHEDULE: '1,1,2,2,3,3,5,5,10,10,20,20,30,30',
      TOKEN_CACHE_TTL_MS: '5000',
    });
  }, 240_000);

  afterAll(async () => {
    await system.stop();
    await receiver?.close();
  }, 60_000);

  it('loses and duplicates nothing through kill -9 of a NATS node, of the stream leader and of a replica of every service', async () => {
    const [token, ingest, dispatch] = SERVICE_NAMES.map((n) => system.urls(n));
    const cluster = system.cluster!;
    const call = async (base: string, path: string, body: unknown, headers: Record<string, string>) => {
      const res = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
      const text = await res.text();
      if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${text}`);
      return text ? JSON.parse(text) : undefined;
    };
    const admin = { 'x-admin-key': system.adminKey };
    const newUser = async (i: string) => {
      const user = await call(token[0], '/api/v1/admin/users', { email: `cluster-${i}@example.com`, display_name: `Cluster ${i}` }, admin);
      const { token: zapikey } = await call(token[0], `/api/v1/admin/users/${user.id}/tokens`, { name: 'load' }, admin);
      return { id: user.id as string, zapikey: zapikey as string };
    };

    // Setup: one channel with a subscription, and enough members that the load stays under 50 posts a minute each.
    const users: { id: string; zapikey: string }[] = [];
    for (let i = 0; i < USERS; i++) users.push(await newUser(String(i)));
    const owner = { authorization: `Zoho-oauthtoken ${users[0].zapikey}` };
    await call(dispatch[0], '/api/v2/channels', { unique_name: CHANNEL }, owner);
    await call(dispatch[0], `/api/v2/channelsbyname/${CHANNEL}/members`, { user_ids: users.slice(1).map((u) => u.id) }, owner);
    await call(
      dispatch[0],
      '/api/v1/subscriptions',
      { target: { kind: 'channelsbyname', name: CHANNEL }, kind: 'standard-webhooks', url: `${receiver.url}/c` },
      owner,
    );

    // The load: posts with an idempotency key that a retry reuses, spread over users and ingest replicas.
    const acked: Acked[] = [];
    const unexpected: string[] = [];
    let retries = 0;
    const ackTimes: number[] = [];
    let stop = false;
    let n = 0;
    const send = async (worker: number) => {
      const key = randomUUID();
      const user = users[n++ % users.length];
      for (let attempt = 0; attempt < 120 && !stop; attempt++) {
        const base = ingest[(worker + attempt) % ingest.length];
        try {
          const res = await fetch(`${base}/api/v2/channelsbyname/${CHANNEL}/message`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'idempotency-key': key, authorization: `Zoho-oauthtoken ${user.zapikey}` },
            body: JSON.stringify({ text: `cluster ${key}` }),
            signal: AbortSignal.timeout(10_000),
          });
          await res.arrayBuffer();
          if (res.status === 204 || res.status === 200) {
            acked.push({ key, eventId: res.headers.get('x-zapgate-event-id')! });
            ackTimes.push(Date.now());
            return;
          }
          // 503 while NATS elects a leader or a dependency is down; 401 while a token is re-verified through an outage.
          if (res.status !== 503 && res.status !== 401) unexpected.push(`${res.status} from ${base}`);
        } catch (err) {
          // Refused, reset or timed out while a process is down (fetch's errors come from another realm: compare names).
          if (!['TypeError', 'TimeoutError', 'AbortError'].includes((err as Error).name)) throw err;
        }
        retries++;
        await sleep(250);
      }
    };
    const workers = Array.from({ length: 3 }, async (_, w) => {
      while (!stop) {
        await send(w);
        await sleep(200);
      }
    });

    // Each fault: the longest time without an acknowledged post from the fault until the stream has all
    // its replicas back (the time to recover, as a sender sees it), and how long that took.
    const recovery: Record<string, string> = {};
    const fault = async (label: string, action: () => Promise<void>) => {
      await sleep(4000);
      const t0 = Date.now();
      await action();
      const restarted = Date.now();
      const ackedBefore = ackTimes.length;
      while (ackTimes.length === ackedBefore) await sleep(50);
      while (!(await cluster.healthy(WEBHOOKS))) await sleep(250);
      const during = [t0, ...ackTimes.filter((t) => t >= t0), Date.now()];
      const gap = Math.max(...during.slice(1).map((t, i) => t - during[i]));
      recovery[label] = `longest wait for an acknowledged post ${gap} ms; stream whole ${Date.now() - restarted} ms after the restart`;
    };
    const leader = await cluster.leaderOf(WEBHOOKS);
    const follower = cluster.names().find((name) => name !== leader)!;
    await fault(`kill -9 NATS node ${follower} (a follower), restart after 3 s`, async () => {
      await cluster.kill9(follower);
      await sleep(3000);
      await cluster.restart(follower);
    });
    const newLeader = await cluster.leaderOf(WEBHOOKS);
    await fault(`kill -9 NATS node ${newLeader} (the stream leader), restart after 3 s`, async () => {
      await cluster.kill9(newLeader);
      await sleep(3000);
      await cluster.restart(newLeader);
    });
    await fault('kill -9 one replica of every service, restart after 1.5 s', async () => {
      await Promise.all(SERVICE_NAMES.map((name, i) => system.crash(name, i % 2, 1500)));
    });
    await sleep(3000);
    stop = true;
    await Promise.all(workers);

    // Cliq's limit across the replicas: a user's 50 posts go through, alternating replicas; the 51st is refused on both.
    const limited = await newUser('limit');
    const post = (base: string) =>
      fetch(`${base}/api/v2/channelsbyname/${CHANNEL}/message`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Zoho-oauthtoken ${limited.zapikey}` },
        body: '{"text":"limit"}',
      });
    const limitStatuses: number[] = [];
    for (let i = 0; i < 50; i++) limitStatuses.push((await post(ingest[i % 2])).status);
    const fiftyFirst = await Promise.all(ingest.map(async (base) => (await post(base)).status));

    // Drain: every acknowledged post stored once and delivered.
    const pg = new Client({ connectionString: system.env.DATABASE_URL });
    await pg.connect();
    try {
      const ids = acked.map((a) => a.eventId);
      let stored = 0;
      const until = Date.now() + 90_000;
      while (Date.now() < until) {
        stored = (await pg.query(`SELECT count(*)::int AS n FROM dispatch.message WHERE id = ANY($1::uuid[])`, [ids])).rows[0].n;
        if (stored === ids.length) break;
        await sleep(500);
      }
      const storedIds = new Set((await pg.query<{ id: string }>(`SELECT id FROM dispatch.message WHERE id = ANY($1::uuid[])`, [ids])).rows.map((r) => r.id));
      const lost = acked.filter((a) => !storedIds.has(a.eventId));
      const repeated = (await pg.query(`SELECT text FROM dispatch.message WHERE text LIKE 'cluster %' GROUP BY text HAVING count(*) > 1`)).rows.length;
      const idsPerKey = new Map<string, Set<string>>();
      for (const a of acked) idsPerKey.set(a.key, (idsPerKey.get(a.key) ?? new Set()).add(a.eventId));
      const duplicated = repeated + [...idsPerKey.values()].filter((set) => set.size > 1).length;
      let delivered = new Set<string>();
      while (Date.now() < until + 60_000) {
        delivered = new Set(receiver.received.filter((r) => r.body).map((r) => (JSON.parse(r.body) as { data: { id: string } }).data.id));
        if ([...storedIds].every((id) => delivered.has(id))) break;
        await sleep(500);
      }
      const undelivered = [...storedIds].filter((id) => !delivered.has(id)).length;

      const ledger = {
        'posts acknowledged (2xx)': acked.length,
        'retried (503, refused or timed out; same idempotency key)': retries,
        stored: storedIds.size,
        lost: lost.length,
        duplicated,
        'stored but not delivered': undelivered,
        'answers other than 2xx, 401 or 503': unexpected.length,
        "a user's 50 posts over both ingest replicas (not 204)": limitStatuses.filter((s) => s !== 204).length,
        'the 51st post, on each ingest replica': fiftyFirst.join(', '),
        ...recovery,
      };
      process.stdout.write(
        `\nCluster test ledger (3 NATS nodes, R3 streams, 2 replicas of every service)\n` +
          Object.entries(ledger)
            .map(([k, v]) => `  ${k.padEnd(62)} ${v}`)
            .join('\n') +
          '\n',
      );
      expect(unexpected).toEqual([]);
      expect(lost).toEqual([]);
      expect(duplicated).toBe(0);
      expect(undelivered).toBe(0);
      expect(acked.length).toBeGreaterThan(100);
      expect(limitStatuses.filter((s) => s !== 204)).toEqual([]);
      expect(fiftyFirst).toEqual([429, 429]);
    } finally {
      await pg.end();
    }
  }, 420_000);
});
