import { freePort, spawnService, waitForReady, type ServiceProcess } from '@zapgate/testing';
import { createFixture, until } from './fixtures';
import { startPlatform, type Platform } from './platform-env';
import { startReceiver, type Receiver } from './receivers';

/**
 * What order holds with two message-dispatch replicas sharing the webhook stream's consumer: a
 * strict subscription gets one delivery at a time in the channel's stored order, whichever replica
 * stored or sends each message (the head is chosen in PostgreSQL). Stored order itself can differ
 * from ingest order across replicas — two replicas may store a channel's neighbouring events at
 * once — and the test reports by how much; the stream sequence keeps ingest order for readers.
 */
describe('order with two message-dispatch replicas', () => {
  let platform: Platform;
  let second: ServiceProcess | undefined;
  let rx: Receiver | undefined;

  beforeAll(async () => {
    platform = await startPlatform('order2', { OUTBOUND_ALLOWED_CIDRS: '127.0.0.0/8', INGEST_RATE_LIMIT_PER_MINUTE: '100000' });
    const port = await freePort();
    second = spawnService('message-dispatch', port, { ...platform.env, MESSAGE_DISPATCH_PORT: String(port) });
    await waitForReady(second, '/health/ready', 45_000);
  });

  afterAll(async () => {
    await rx?.close();
    await second?.stop();
    await platform?.stop();
  });

  it('delivers a strict subscription in stored order, one at a time, across replicas', async () => {
    const fx = await createFixture(platform, 'order2@example.com');
    const auth = { 'content-type': 'application/json', authorization: `Zoho-oauthtoken ${fx.token}` };
    const dispatch = [platform.services.dispatch.baseUrl, second!.baseUrl];
    let inFlight = 0;
    let overlapped = 0;
    rx = await startReceiver(() => {
      // The receiver answers after a moment: a second request arriving meanwhile would be out of turn.
      if (++inFlight > 1) overlapped++;
      setTimeout(() => inFlight--, 5);
      return { status: 200, delayMs: 5 };
    });
    const created = await fetch(`${dispatch[0]}/api/v2/channels`, { method: 'POST', headers: auth, body: '{"unique_name":"ordered"}' });
    expect([created.status, await created.text()]).toEqual([201, expect.any(String)]);
    const sub = await fetch(`${dispatch[1]}/api/v1/subscriptions`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        target: { kind: 'channelsbyname', name: 'ordered' },
        kind: 'standard-webhooks',
        url: rx.url,
        ordering: 'strict',
        max_concurrency: 8,
      }),
    });
    const subBody = await sub.text();
    expect([sub.status, subBody]).toEqual([201, subBody]);

    const texts = Array.from({ length: 120 }, (_, i) => `o${i}`);
    for (const text of texts) {
      const res = await fetch(`${platform.services.ingest.baseUrl}/api/v2/channelsbyname/ordered/message`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ text }),
      });
      expect(res.status).toBe(204);
    }
    await until(async () => (rx!.received.length >= texts.length ? true : undefined), 120_000);

    const stored = await platform.db.query<{ text: string; stream_seq: string }>(
      `SELECT m.text, m.stream_seq FROM dispatch.message m JOIN dispatch.channel c ON c.id = m.channel_id WHERE c.unique_name = 'ordered' ORDER BY m.store_seq`,
    );
    const arrivals = rx.received.map((r) => (JSON.parse(r.body) as { data: { content: { text: string } } }).data.content.text);
    // Both replicas took part: each stored some of the channel's events.
    const perReplica = await Promise.all(
      dispatch.map(async (base) => {
        const metrics = await (await fetch(`${base}/metrics`)).text();
        return Number(/^zapgate_dispatch_messages_total\{[^}]*result="stored"[^}]*\} (\d+)/m.exec(metrics)?.[1] ?? 0);
      }),
    );
    const inversions = stored.filter((m, i) => i > 0 && Number(m.stream_seq) < Number(stored[i - 1].stream_seq)).length;
    process.stdout.write(
      `order across 2 dispatch replicas: stored per replica ${perReplica.join(' / ')}; stored order against ingest order: ${inversions} inversions in ${stored.length}\n`,
    );

    expect(perReplica.every((n) => n > 0)).toBe(true);
    expect(arrivals).toEqual(stored.map((m) => m.text)); // strict: the stored order, each once
    expect(overlapped).toBe(0); // one at a time
    expect([...stored].sort((a, b) => Number(a.stream_seq) - Number(b.stream_seq)).map((m) => m.text)).toEqual(texts); // ingest order, by stream sequence
  });
});
