import { Test, type TestingModule } from '@nestjs/testing';
import { Streams, Subjects, type PayloadOf } from '@zapgate/contracts';
import { connectTestNats, deleteNamespaceStreams, LogCapture, TEST_NATS_URL, testNamespace } from '@zapgate/testing';
import { randomUUID } from 'node:crypto';
import { baseConfigSchema, ConfigModule, loadConfig } from '../config';
import { createRootLogger, PinoLoggerService } from '../logging';
import { MetricsModule, MetricsService } from '../metrics';
import {
  type DeadLetter,
  type EventContext,
  EventConsumerService,
  type EventHandler,
  type HandleOutcome,
  Outcome,
  PermanentFailure,
} from './event-consumer.service';
import { JetStreamService } from './jetstream.service';
import { encodeJson } from './json-codec';
import { NatsModule } from './nats.module';

type Received = PayloadOf<typeof Subjects.WebhookReceived>;

const event = (text: string): Received => ({
  eventId: randomUUID(),
  receivedAt: new Date().toISOString(),
  source: 'channel-post',
  userId: randomUUID(),
  tokenId: randomUUID(),
  target: { kind: 'channel', name: 'general' },
  message: { text },
});

class RecordingHandler implements EventHandler<typeof Subjects.WebhookReceived> {
  readonly subject = Subjects.WebhookReceived;
  readonly seen: { text: string; deliveryCount: number }[] = [];
  inFlight = 0;
  maxInFlight = 0;

  constructor(private readonly decide: (payload: Received, ctx: EventContext) => Promise<HandleOutcome>) {}

  async handle(payload: Received, ctx: EventContext): Promise<HandleOutcome> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      this.seen.push({ text: String(payload.message?.text), deliveryCount: ctx.deliveryCount });
      return await this.decide(payload, ctx);
    } finally {
      this.inFlight--;
    }
  }
}

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('JetStream publish and consume (real NATS)', () => {
  let namespace: string;
  let moduleRef: TestingModule;

  /** Dead letters recorded by the consumers under test (a real store is the services' business). */
  let letters: DeadLetter[] = [];
  const deadLetter = async (letter: DeadLetter) => {
    letters.push(letter);
  };

  async function boot(env: Record<string, string> = {}): Promise<TestingModule> {
    namespace = testNamespace('evc');
    letters = [];
    const config = loadConfig(baseConfigSchema, { NATS_URL: TEST_NATS_URL, NATS_NAMESPACE: namespace, ...env });
    moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(config), MetricsModule.forRoot('test'), NatsModule.forRoot('test')],
    })
      .setLogger(new PinoLoggerService(createRootLogger({ service: 'test', level: 'info', destination: new LogCapture() })))
      .compile();
    await moduleRef.init();
    await moduleRef.get(JetStreamService).ensureStream(Streams.Webhooks);
    return moduleRef;
  }

  afterEach(async () => {
    await moduleRef?.close();
    await deleteNamespaceStreams(namespace);
  });

  it('delivers validated payloads once, even when the publisher repeats a msgID', async () => {
    await boot();
    const handler = new RecordingHandler(async () => Outcome.ack());
    await moduleRef.get(EventConsumerService).start(handler, { stream: Streams.Webhooks, durable: 'dedup', concurrency: 2, deadLetter });
    const js = moduleRef.get(JetStreamService);
    const first = event('once');
    const ack1 = await js.publish(Subjects.WebhookReceived, first, { msgID: first.eventId });
    const ack2 = await js.publish(Subjects.WebhookReceived, first, { msgID: first.eventId });
    expect(ack1.duplicate).toBe(false);
    expect(ack2.duplicate).toBe(true);
    expect(ack2.seq).toBe(ack1.seq);
    await until(() => handler.seen.length === 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(handler.seen).toEqual([{ text: 'once', deliveryCount: 1 }]);
  });

  it('refuses to publish a payload that breaks the contract', async () => {
    await boot();
    const bad = { ...event('x'), target: { kind: 'channel', name: '' } } as Received;
    await expect(moduleRef.get(JetStreamService).publish(Subjects.WebhookReceived, bad, { msgID: bad.eventId })).rejects.toThrow();
  });

  it('does not parse a payload built from validated parts again, unless VALIDATE_CONTRACTS asks it to', async () => {
    // What `built` promises is the builder's business; this shows the check is skipped in production and kept in tests.
    const bad = { ...event('x'), target: { kind: 'channel', name: '' } } as Received;
    await boot();
    const ack = await moduleRef.get(JetStreamService).publish(Subjects.WebhookReceived, bad, { msgID: bad.eventId, built: true });
    expect(ack.seq).toBeGreaterThan(0);
    await moduleRef.close();
    await deleteNamespaceStreams(namespace);
    await boot({ VALIDATE_CONTRACTS: 'true' });
    await expect(moduleRef.get(JetStreamService).publish(Subjects.WebhookReceived, bad, { msgID: bad.eventId, built: true })).rejects.toThrow();
  });

  it('publishes concurrent events in the order they were asked for, sharing the socket writes of one turn', async () => {
    await boot();
    const js = moduleRef.get(JetStreamService);
    const events = Array.from({ length: 50 }, (_, i) => event(`n${i}`));
    const acks = await Promise.all(events.map((e) => js.publish(Subjects.WebhookReceived, e, { msgID: e.eventId })));
    const seqs = acks.map((a) => a.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(50);
  });

  it('redelivers after nak(delay) and after a handler throws, then acks', async () => {
    await boot();
    const handler = new RecordingHandler(async (payload, ctx) => {
      if (String(payload.message?.text) === 'nak-once' && ctx.deliveryCount === 1) return Outcome.retry(100, 'try again');
      if (String(payload.message?.text) === 'throw-once' && ctx.deliveryCount === 1) throw new Error('transient');
      return Outcome.ack();
    });
    await moduleRef.get(EventConsumerService).start(handler, { stream: Streams.Webhooks, durable: 'retry', concurrency: 2, deadLetter });
    const js = moduleRef.get(JetStreamService);
    for (const text of ['nak-once', 'throw-once']) {
      const e = event(text);
      await js.publish(Subjects.WebhookReceived, e, { msgID: e.eventId });
    }
    await until(() => handler.seen.length === 4);
    expect(
      handler.seen
        .filter((s) => s.deliveryCount === 2)
        .map((s) => s.text)
        .sort(),
    ).toEqual(['nak-once', 'throw-once']);
    const metrics = await moduleRef.get(MetricsService).registry.getSingleMetricAsString('zapgate_events_consumed_total');
    expect(metrics).toMatch(/outcome="nak"[^\n]* 2/);
    expect(metrics).toMatch(/outcome="ack"[^\n]* 2/);
  });

  it('terminates a poison message without calling the handler, and carries on', async () => {
    await boot();
    const handler = new RecordingHandler(async () => Outcome.ack());
    await moduleRef.get(EventConsumerService).start(handler, { stream: Streams.Webhooks, durable: 'poison', concurrency: 1, deadLetter });
    const nc = await connectTestNats();
    await nc.jetstream().publish(`${namespace}.${Subjects.WebhookReceived}`, encodeJson({ not: 'an event' }));
    await nc.close();
    const good = event('after-poison');
    await moduleRef.get(JetStreamService).publish(Subjects.WebhookReceived, good, { msgID: good.eventId });
    await until(() => handler.seen.length === 1);
    expect(handler.seen[0].text).toBe('after-poison');
    const metrics = await moduleRef.get(MetricsService).registry.getSingleMetricAsString('zapgate_events_consumed_total');
    expect(metrics).toMatch(/outcome="term"[^\n]* 1/);
  });

  it('never runs more handlers at once than the concurrency bound', async () => {
    await boot();
    const handler = new RecordingHandler(async () => {
      await new Promise((r) => setTimeout(r, 30));
      return Outcome.ack();
    });
    await moduleRef.get(EventConsumerService).start(handler, { stream: Streams.Webhooks, durable: 'bounded', concurrency: 3, deadLetter });
    const js = moduleRef.get(JetStreamService);
    await Promise.all(
      Array.from({ length: 30 }, (_, i) => {
        const e = event(`m${i}`);
        return js.publish(Subjects.WebhookReceived, e, { msgID: e.eventId });
      }),
    );
    await until(() => handler.seen.length === 30);
    expect(handler.maxInFlight).toBeLessThanOrEqual(3);
    expect(handler.maxInFlight).toBeGreaterThan(1);
  });

  it('dead-letters an event whose value the store refuses at once, and the term holds: no redelivery', async () => {
    await boot();
    // What node-postgres raises for `\u0000` in jsonb: a data exception (SQLSTATE class 22) with a severity.
    const refused = Object.assign(new Error('unsupported Unicode escape sequence'), { code: '22P05', severity: 'ERROR' });
    const handler = new RecordingHandler(async (payload) => {
      if (String(payload.message?.text) === 'refused') throw refused;
      return Outcome.ack();
    });
    await moduleRef.get(EventConsumerService).start(handler, { stream: Streams.Webhooks, durable: 'refused', concurrency: 2, ackWaitMs: 1000, deadLetter });
    const js = moduleRef.get(JetStreamService);
    for (const text of ['refused', 'fine']) {
      const e = event(text);
      await js.publish(Subjects.WebhookReceived, e, { msgID: e.eventId });
    }
    await until(() => letters.length === 1 && handler.seen.length === 2);
    expect(letters[0]).toMatchObject({ consumer: 'refused', kind: 'rejected_value', deliveryCount: 1, reason: expect.stringContaining('unsupported Unicode') });
    // Past two ack waits: a term NATS 2.9 ignored would have come back by now.
    await new Promise((r) => setTimeout(r, 2500));
    expect(handler.seen.filter((s) => s.text === 'refused')).toHaveLength(1);
    expect(await moduleRef.get(EventConsumerService).pending(Streams.Webhooks, 'refused')).toBe(0);
  });

  it('gives up on an event that keeps failing after maxDeliver, but not while a dependency is down', async () => {
    await boot();
    const outage = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const handler = new RecordingHandler(async (payload, ctx) => {
      const text = String(payload.message?.text);
      if (text === 'always-fails') throw new Error('bug');
      if (text === 'outage' && ctx.deliveryCount <= 3) throw outage;
      return Outcome.ack();
    });
    await moduleRef.get(EventConsumerService).start(handler, { stream: Streams.Webhooks, durable: 'exhaust', concurrency: 2, maxDeliver: 2, deadLetter });
    const js = moduleRef.get(JetStreamService);
    for (const text of ['always-fails', 'outage']) {
      const e = event(text);
      await js.publish(Subjects.WebhookReceived, e, { msgID: e.eventId });
    }
    await until(() => handler.seen.filter((s) => s.text === 'outage').length === 4, 30_000);
    expect(letters.map((l) => [l.kind, l.deliveryCount])).toEqual([['exhausted', 2]]);
    expect(letters[0].reason).toMatch(/gave up after 2 deliveries: handler threw: bug/);
    const metrics = await moduleRef.get(MetricsService).registry.getSingleMetricAsString('zapgate_events_dead_lettered_total');
    expect(metrics).toMatch(/consumer="exhaust",kind="exhausted"[^\n]* 1/);
  }, 60_000);

  it('hands a dead letter once more to the handler that gave up on it: handled once fixed, the reason while not, an outage thrown', async () => {
    await boot();
    let fixed = false;
    let down = false;
    const outage = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const handler = new RecordingHandler(async () => {
      if (down) throw outage;
      if (!fixed) throw new PermanentFailure('cannot handle this yet');
      return Outcome.ack();
    });
    const consumers = moduleRef.get(EventConsumerService);
    await consumers.start(handler, { stream: Streams.Webhooks, durable: 'redrive', concurrency: 1, deadLetter });
    const e = event('later');
    await moduleRef.get(JetStreamService).publish(Subjects.WebhookReceived, e, { msgID: e.eventId });
    await until(() => letters.length === 1);
    const letter = { consumer: 'redrive', payload: letters[0].data, streamSequence: letters[0].streamSequence, deliveryCount: letters[0].deliveryCount };

    expect(consumers.handles('redrive')).toBe(true);
    expect(consumers.handles('elsewhere')).toBe(false);
    await expect(consumers.redrive(letter)).resolves.toEqual({ ok: false, reason: 'handler threw: cannot handle this yet' });
    down = true;
    await expect(consumers.redrive(letter)).rejects.toBe(outage);
    down = false;
    fixed = true;
    await expect(consumers.redrive(letter)).resolves.toEqual({ ok: true });
    // Each retry is one more delivery of the same stream position, validated like one from the stream.
    expect(handler.seen.map((s) => s.deliveryCount)).toEqual([1, 2, 2, 2]);
    await expect(consumers.redrive({ ...letter, payload: encodeJson({ not: 'an event' }) })).resolves.toEqual({
      ok: false,
      reason: 'payload does not match the contract',
    });
    expect(handler.seen).toHaveLength(4);
  });

  it('reports a consumer stalled while events wait and none is delivered, and recovers', async () => {
    await boot({ CONSUMER_STALL_SECONDS: '1' });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const handler = new RecordingHandler(async () => {
      await gate;
      return Outcome.ack();
    });
    const consumers = moduleRef.get(EventConsumerService);
    await consumers.start(handler, { stream: Streams.Webhooks, durable: 'stuck', concurrency: 1, deadLetter });
    const js = moduleRef.get(JetStreamService);
    for (let i = 0; i < 5; i++) {
      const e = event(`held-${i}`);
      await js.publish(Subjects.WebhookReceived, e, { msgID: e.eventId });
    }
    const stalledState = async () => (await consumers.progress.states()).find((c) => c.consumer === 'stuck');
    await until(() => handler.seen.length >= 1);
    let state = await stalledState();
    const deadline = Date.now() + 20_000;
    while (!state?.stalled && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 300));
      state = await stalledState();
    }
    expect(state).toMatchObject({ consumer: 'stuck', stalled: true });
    expect(state!.waiting).toBeGreaterThan(0);
    const gauge = await moduleRef.get(MetricsService).registry.getSingleMetricAsString('zapgate_consumer_stalled');
    expect(gauge).toMatch(/consumer="stuck"[^\n]* 1/);
    release();
    await until(() => handler.seen.length === 5);
    await new Promise((r) => setTimeout(r, 1200));
    expect(await stalledState()).toMatchObject({ stalled: false, waiting: 0 });
  }, 60_000);
});
