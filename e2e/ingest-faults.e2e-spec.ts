import { connect } from 'nats';
import { freePort, spawnService, waitForReady, WORKSPACE_ROOT } from '@zapgate/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFixture, until } from './fixtures';
import { startPlatform, type Platform } from './platform-env';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startNatsServer } = require(join(WORKSPACE_ROOT, 'scripts/local-infra.js')) as {
  startNatsServer(o: { port: number; storeDir: string }): Promise<{ url: string; stop(): Promise<void> }>;
};

const postText = (base: string, token: string, text: string) =>
  fetch(`${base}/api/v2/channelsbyname/load/message?zapikey=${token}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text }),
  });

describe('rate limits', () => {
  let platform: Platform;

  beforeAll(async () => {
    platform = await startPlatform('limits', { INGEST_RATE_LIMIT_PER_MINUTE: '10', INGEST_IP_FLOOD_PER_MINUTE: '40' });
  });

  afterAll(async () => {
    await platform?.stop();
  });

  it("limits a user to the configured posts per minute across all of their tokens, with 429, Retry-After and Cliq's lock-out", async () => {
    const fx = await createFixture(platform, 'limited@example.com');
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await postText(platform.services.ingest.baseUrl, i % 2 ? fx.token : fx.appToken, `m${i}`)).status);
    expect(statuses.every((s) => s === 204)).toBe(true);
    const limited = await postText(platform.services.ingest.baseUrl, fx.token, 'one too many');
    expect(limited.status).toBe(429);
    expect(await limited.json()).toEqual({ code: 'rate_limit_exceeded', message: 'Too many requests for this user; retry later.' });
    expect(Number(limited.headers.get('retry-after'))).toBe(600);
  });

  it('turns a flood from one address away before any token lookup', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await postText(platform.services.ingest.baseUrl, 'zapk_flood', 'x')).status);
    expect(statuses).toContain(401);
    expect(statuses[statuses.length - 1]).toBe(429);
    const metrics = await (await fetch(`${platform.services.ingest.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/zapgate_ingest_rejected_total\{[^}]*reason="ip_flood"/);
  });
});

describe('NATS unreachable', () => {
  let platform: Platform;
  let nats: { url: string; stop(): Promise<void> };
  let storeDir: string;
  let port: number;

  beforeAll(async () => {
    storeDir = mkdtempSync(join(tmpdir(), 'zapgate-nats-'));
    port = await freePort();
    nats = await startNatsServer({ port, storeDir });
    platform = await startPlatform('natsdown', { NATS_URL: nats.url, NATS_REQUEST_TIMEOUT_MS: '1000', TOKEN_CACHE_TTL_MS: '60000' });
  });

  afterAll(async () => {
    await platform?.stop().catch(() => undefined);
    await nats?.stop();
    rmSync(storeDir, { recursive: true, force: true });
  });

  it('answers 503 with Retry-After, never a 2xx, and recovers when NATS is back', async () => {
    const fx = await createFixture(platform, 'natsdown@example.com');
    expect((await postText(platform.services.ingest.baseUrl, fx.token, 'before')).status).toBe(204);
    await nats.stop();
    const during = await postText(platform.services.ingest.baseUrl, fx.token, 'during');
    expect(during.status).toBe(503);
    expect(during.headers.get('retry-after')).toBeTruthy();
    expect(((await during.json()) as { code: string }).code).toBe('service_unavailable');
    expect((await fetch(`${platform.services.ingest.baseUrl}/health/ready`)).status).toBe(503);

    nats = await startNatsServer({ port, storeDir });
    const status = await until(async () => {
      const s = (await postText(platform.services.ingest.baseUrl, fx.token, 'after')).status;
      return s === 204 ? s : undefined;
    }, 20_000);
    expect(status).toBe(204);
  });
});

describe('kill -9 of webhook-ingest under load', () => {
  let platform: Platform;

  beforeAll(async () => {
    platform = await startPlatform('crash', { INGEST_RATE_LIMIT_PER_MINUTE: '1000000', INGEST_IP_FLOOD_PER_MINUTE: '10000000', LOG_LEVEL: 'error' });
  });

  afterAll(async () => {
    await platform?.stop();
  });

  it('keeps every request that got a 2xx: in the stream and in the event table', async () => {
    const fx = await createFixture(platform, 'crash@example.com');
    const acknowledged = new Set<string>();
    let failures = 0;
    let stop = false;
    let sent = 0;
    const worker = async () => {
      while (!stop) {
        try {
          const res = await postText(platform.services.ingest.baseUrl, fx.token, `load ${sent++}`);
          if (res.status === 204) acknowledged.add(res.headers.get('x-zapgate-event-id')!);
          else failures++;
        } catch {
          failures++; // connection refused or reset while the process is down
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    };
    const workers = Array.from({ length: 16 }, worker);
    await new Promise((r) => setTimeout(r, 1500));
    const beforeKill = acknowledged.size;
    await platform.services.ingest.kill9();
    await new Promise((r) => setTimeout(r, 300));
    const port = Number(new URL(platform.services.ingest.baseUrl).port);
    platform.services.ingest = spawnService('webhook-ingest', port, platform.env);
    await waitForReady(platform.services.ingest);
    await new Promise((r) => setTimeout(r, 1000));
    stop = true;
    await Promise.all(workers);
    process.stdout.write(`crash test: ${acknowledged.size} acknowledged (${beforeKill} before the kill), ${failures} failed while down\n`);
    expect(beforeKill).toBeGreaterThan(50);
    expect(acknowledged.size).toBeGreaterThan(beforeKill);

    // Every acknowledged event is in the stream…
    const nc = await connect({ servers: platform.env.NATS_URL });
    const jsm = await nc.jetstreamManager();
    const stream = `${platform.namespace.toUpperCase()}_ZAPGATE_WEBHOOKS`;
    const { state } = await jsm.streams.info(stream);
    const inStream = new Set<string>();
    for (let seq = state.first_seq; seq <= state.last_seq; seq++) {
      const msg = await jsm.streams.getMessage(stream, { seq });
      inStream.add((msg.json() as { eventId: string }).eventId);
    }
    await nc.close();
    expect([...acknowledged].filter((id) => !inStream.has(id))).toEqual([]);

    // …and, once the event log has caught up, in the event table, exactly once each.
    const rows = await until(async () => {
      const r = await platform.db.query<{ event_id: string }>(`SELECT event_id FROM ingest.webhook_event WHERE source = 'channel-post'`);
      return [...acknowledged].every((id) => r.some((x) => x.event_id === id)) ? r : undefined;
    }, 30_000);
    expect(new Set(rows.map((r) => r.event_id)).size).toBe(rows.length);
  });
});
