import { spawnService, waitForReady } from '@zapgate/testing';
import { dispatchClient } from './dispatch-helpers';
import { createFixture, until } from './fixtures';
import { startPlatform, type Platform } from './platform-env';
import { startReceiver, type Receiver } from './receivers';

describe('kill -9 of message-dispatch under load', () => {
  let platform: Platform;
  let rx: Receiver;

  beforeAll(async () => {
    platform = await startPlatform('dispatch-crash', {
      INGEST_RATE_LIMIT_PER_MINUTE: '1000000',
      INGEST_IP_FLOOD_PER_MINUTE: '10000000',
      OUTBOUND_ALLOWED_CIDRS: '127.0.0.0/8',
      DELIVERY_POLL_MS: '100',
      DELIVERY_RETRY_SCHEDULE: '1,1,1,1,1',
      // A killed replica's unacked events come back after this; the default 30 s would only slow the test.
      DISPATCH_ACK_WAIT_MS: '3000',
      // Deliveries claimed by the killed process come back when their lease (3 × timeout + 10 s) runs out.
      DELIVERY_TIMEOUT_MS: '2000',
      LOG_LEVEL: 'error',
    });
    rx = await startReceiver(() => ({ status: 204 }));
  });

  afterAll(async () => {
    await rx?.close();
    await platform?.stop();
  });

  it('stores every ingested message exactly once and delivers each to every subscription at least once', async () => {
    const api = dispatchClient(platform);
    const fx = await createFixture(platform, 'dispatch-crash@example.com');
    const channels = ['crash-a', 'crash-b'];
    const subscriptions: string[] = [];
    for (const name of channels) {
      await api.d(fx.token, '/api/v2/channels', { method: 'POST', body: JSON.stringify({ unique_name: name }) });
      const sub = await api.d(fx.token, '/api/v1/subscriptions', {
        method: 'POST',
        body: JSON.stringify({ target: { kind: 'channelsbyname', name }, kind: 'standard-webhooks', url: `${rx.url}/${name}` }),
      });
      subscriptions.push(sub.body.id);
    }

    const acknowledged = new Map<string, string>();
    let stop = false;
    let n = 0;
    const worker = async (w: number) => {
      while (!stop) {
        const channel = channels[(n + w) % channels.length];
        try {
          acknowledged.set(await api.post(fx.token, `channelsbyname/${channel}/message`, { text: `m${n++}` }), channel);
        } catch {
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    };
    const workers = Array.from({ length: 8 }, (_, w) => worker(w));
    await new Promise((r) => setTimeout(r, 2000));
    const storedBeforeKill = Number((await platform.db.query<{ n: string }>(`SELECT count(*) AS n FROM dispatch.message`))[0].n);
    await platform.services.dispatch.kill9();
    await new Promise((r) => setTimeout(r, 1000));
    const port = Number(new URL(platform.services.dispatch.baseUrl).port);
    platform.services.dispatch = spawnService('message-dispatch', port, platform.env);
    await waitForReady(platform.services.dispatch);
    await new Promise((r) => setTimeout(r, 1000));
    stop = true;
    await Promise.all(workers);

    const ids = [...acknowledged.keys()];
    const rows = await until(async () => {
      const r = await platform.db.query<{ event_id: string; copies: string }>(`SELECT event_id, count(*) AS copies FROM dispatch.message GROUP BY event_id`);
      const have = new Set(r.map((x) => x.event_id));
      return ids.every((id) => have.has(id)) ? r : undefined;
    }, 60_000);
    expect(rows.filter((r) => Number(r.copies) !== 1)).toEqual([]);
    expect(rows).toHaveLength(ids.length);

    const deliveredIds = await until(async () => {
      const got = new Set(rx.received.map((r) => (JSON.parse(r.body) as { data: { id: string } }).data.id));
      return ids.every((id) => got.has(id)) ? got : undefined;
    }, 60_000);
    // The receiver can see a request a moment before its delivery row is marked succeeded.
    const pending = await until(async () => {
      const rows = await platform.db.query(`SELECT id FROM dispatch.delivery WHERE status <> 'succeeded'`);
      return rows.length === 0 ? rows : undefined;
    }, 60_000).catch(() => platform.db.query(`SELECT id, status, last_error FROM dispatch.delivery WHERE status <> 'succeeded'`));
    process.stdout.write(
      `dispatch crash test: ${ids.length} acknowledged, ${storedBeforeKill} stored before the kill, all stored once; ` +
        `${rx.received.length} deliveries for ${deliveredIds.size} messages (${rx.received.length - deliveredIds.size} repeated after the crash)\n`,
    );
    expect(storedBeforeKill).toBeGreaterThan(20);
    expect(pending).toEqual([]);
    expect(subscriptions).toHaveLength(2);
  }, 120_000);
});
