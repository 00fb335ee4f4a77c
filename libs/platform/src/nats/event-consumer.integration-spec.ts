import { Test, type TestingModule } from '@nestjs/testing';
import { Streams, Subjects, type PayloadOf } from '@zapgate/contracts';
import { connectTestNats, deleteNamespaceStreams, LogCapture, TEST_NATS_URL, testNamespace } from '@zapgate/testing';
import { randomUUID } from 'node:crypto';
import { baseConfigSchema, ConfigModule, loadConfig } from '../config';
import { createRootLogger, PinoLoggerService } from '../logging';
import { MetricsModule, MetricsService } from '../metrics';
import { type EventContext, EventConsumerService, type EventHandler, type HandleOutcome, Outcome } from './event-consumer.service';
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

  async function boot(): Promise<TestingModule> {
    namespace = testNamespace('evc');
    const config = loadConfig(baseConfigSchema, { NATS_URL: TEST_NATS_URL, NATS_NAMESPACE: namespace });
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
    await moduleRef.get(EventConsumerService).start(handler, { stream: Streams.Webhooks, durable: 'dedup', concurrency: 2 });
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

  it('redelivers after nak(delay) and after a handler throws, then acks', async () => {
    await boot();
    const handler = new RecordingHandler(async (payload, ctx) => {
      if (String(payload.message?.text) === 'nak-once' && ctx.deliveryCount === 1) return Outcome.retry(100, 'try again');
      if (String(payload.message?.text) === 'throw-once' && ctx.deliveryCount === 1) throw new Error('transient');
      return Outcome.ack();
    });
    await moduleRef.get(EventConsumerService).start(handler, { stream: Streams.Webhooks, durable: 'retry', concurrency: 2 });
    const js = moduleRef.get(JetStreamService);
    for (const text of ['nak-once', 'throw-once']) {
      const e = event(text);
      await js.publish(Subjects.WebhookReceived, e, { msgID: e.eventId });
    }
    await until(() => handler.seen.length === 4);
    expect(handler.seen.filter((s) => s.deliveryCount === 2).map((s) => s.text).sort()).toEqual(['nak-once', 'throw-once']);
    const metrics = await moduleRef.get(MetricsService).registry.getSingleMetricAsString('zapgate_events_consumed_total');
    expect(metrics).toMatch(/outcome="nak"[^\n]* 2/);
    expect(metrics).toMatch(/outcome="ack"[^\n]* 2/);
  });

  it('terminates a poison message without calling the handler, and carries on', async () => {
    await boot();
    const handler = new RecordingHandler(async () => Outcome.ack());
    await moduleRef.get(EventConsumerService).start(handler, { stream: Streams.Webhooks, durable: 'poison', concurrency: 1 });
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
    await moduleRef.get(EventConsumerService).start(handler, { stream: Streams.Webhooks, durable: 'bounded', concurrency: 3 });
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
});
