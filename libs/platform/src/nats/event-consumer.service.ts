import { Inject, Injectable, Logger } from '@nestjs/common';
import { EventSchemas, Headers as HttpHeaders, type EventSubject, type PayloadOf } from '@zapgate/contracts';
import { AckPolicy, DeliverPolicy, type ConsumerMessages, type JsMsg, type NatsConnection, type NatsError, nanos } from 'nats';
import { APP_CONFIG, type BaseConfig } from '../config';
import { isOutage, isRejectedValue } from '../errors/dependency-failure';
import { MetricsService, PipelineStages } from '../metrics/metrics.service';
import { whileJetStreamStarts } from './while-jetstream-starts';
import { ConsumerProgress } from './consumer-progress';
import { decodeJson } from './json-codec';
import { NatsNamespace } from './nats-namespace';
import { NATS_CONNECTION } from './nats.tokens';
import { JetStreamService, type StreamDefinition } from './jetstream.service';

/**
 * Why an event went to the dead letters: its payload breaks the contract,
 * the store refused one of its values, it failed on every delivery allowed,
 * or its handler judged it poison.
 */
export type DeadLetterKind = 'contract' | 'rejected_value' | 'exhausted' | 'poison';

/** What a handler decided; the runner maps each to exactly one JetStream call. */
export type HandleOutcome =
  | { readonly type: 'ack' }
  | { readonly type: 'nak'; readonly delayMs: number; readonly reason: string }
  | { readonly type: 'term'; readonly reason: string; readonly kind: DeadLetterKind };

export const Outcome = {
  ack: (): HandleOutcome => ({ type: 'ack' }),
  retry: (delayMs: number, reason: string): HandleOutcome => ({ type: 'nak', delayMs, reason }),
  poison: (reason: string, kind: DeadLetterKind = 'poison'): HandleOutcome => ({ type: 'term', reason, kind }),
};

/** Thrown by a handler for a failure no retry can mend: the event is dead-lettered at once. */
export class PermanentFailure extends Error {}

export interface EventContext {
  correlationId?: string;
  /** 1 on first delivery. */
  deliveryCount: number;
  streamSequence: number;
  /** Tells JetStream the handler is still busy, resetting the ack timer. */
  working(): void;
}

export interface EventHandler<S extends EventSubject> {
  readonly subject: S;
  handle(payload: PayloadOf<S>, ctx: EventContext): Promise<HandleOutcome>;
}

/** What a poison message leaves behind before it is terminated. */
export interface DeadLetter {
  /** The durable consumer that gave up on it (without the namespace). */
  consumer: string;
  subject: string;
  streamSequence: number;
  deliveryCount: number;
  kind: DeadLetterKind;
  reason: string;
  data: Uint8Array;
}

export interface ConsumeOptions {
  stream: StreamDefinition;
  durable: string;
  concurrency: number;
  /**
   * Deliveries before an event that keeps failing is dead-lettered. An
   * outage of a dependency does not count: those events wait for it.
   */
  maxDeliver?: number;
  ackWaitMs?: number;
  /**
   * Keeps a poison message somewhere an operator can see it. Runs before the
   * `term`; if it throws, the message is retried instead, so none is dropped
   * without a record.
   */
  deadLetter: (record: DeadLetter) => Promise<void>;
}

/** What an operator's retry of a dead letter came to: handled, or why not (the letter stays). */
export type RedriveResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export const DEFAULT_MAX_DELIVER = 10;
/**
 * JetStream's own bound, far past ours: ours dead-letters first, and this one
 * only stops an event that fails while even the dead-letter store is down —
 * about a week of one-minute retries, the stream's retention.
 */
const SERVER_MAX_DELIVER = 10_080;

/** Backoff for handlers that threw: 1 s, 2 s, 4 s … capped at 60 s. */
export function retryDelayMs(deliveryCount: number): number {
  return Math.min(60_000, 1000 * 2 ** Math.max(0, deliveryCount - 1));
}

/**
 * Runs a durable pull consumer with explicit acks and at most `concurrency`
 * messages in a handler at once. Undecodable or contract-breaking messages
 * are terminated (never retried forever) and counted.
 */
@Injectable()
export class EventConsumerService {
  private readonly logger = new Logger(EventConsumerService.name);
  private readonly running = new Set<ConsumerMessages>();
  /** The handlers this process runs, by durable name: a dead letter is retried by the one that gave up on it. */
  private readonly handlers = new Map<string, EventHandler<EventSubject>>();
  private readonly inFlight = new Set<Promise<void>>();
  private stopping = false;

  private readonly deadLettered;
  readonly progress: ConsumerProgress;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly ns: NatsNamespace,
    private readonly metrics: MetricsService,
    private readonly jetstream: JetStreamService,
    @Inject(APP_CONFIG) config: BaseConfig,
  ) {
    this.deadLettered = metrics.counter(
      'zapgate_events_dead_lettered_total',
      'Events a consumer gave up on and recorded as dead letters, by consumer and kind.',
      ['consumer', 'kind'],
    );
    this.progress = new ConsumerProgress(nc, metrics, config.CONSUMER_STALL_SECONDS * 1000);
  }

  async start<S extends EventSubject>(handler: EventHandler<S>, options: ConsumeOptions): Promise<void> {
    // Either side may boot first, so the consumer provisions the stream too (idempotent).
    await this.jetstream.ensureStream(options.stream);
    const jsm = await this.nc.jetstreamManager();
    const stream = this.ns.stream(options.stream.name);
    const durable = this.ns.durable(options.durable);
    const config = {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subject: this.ns.subject(handler.subject),
      ack_wait: nanos(options.ackWaitMs ?? 30_000),
      max_deliver: SERVER_MAX_DELIVER,
      // Events waiting for a retry keep their place here (not a handler slot): room for many, so they never starve new ones.
      max_ack_pending: Math.max(options.concurrency * 8, 1024),
    };
    await whileJetStreamStarts(
      `consumer ${options.durable}`,
      async () => {
        try {
          await jsm.consumers.info(stream, durable);
          await jsm.consumers.update(stream, durable, config);
        } catch (err) {
          if ((err as NatsError).api_error?.err_code !== 10014) throw err; // 10014: consumer not found
          await jsm.consumers.add(stream, config);
        }
      },
      this.logger,
    );
    this.handlers.set(options.durable, handler as unknown as EventHandler<EventSubject>);
    const consumer = await this.nc.jetstream().consumers.get(stream, durable);
    const messages = await consumer.consume({ max_messages: options.concurrency });
    this.running.add(messages);
    this.progress.watch(options.durable, stream, durable);
    void this.loop(messages, handler, options);
  }

  /** Whether this process runs the consumer a dead letter names. */
  handles(consumer: string): boolean {
    return this.handlers.has(consumer);
  }

  /**
   * Hands a dead letter's payload to the handler of the consumer that gave
   * up on it, once, as one more delivery: validated against the contract as
   * on the stream, then handled. Handlers are idempotent per event (a stream
   * redelivers too), so a retry of an event that was in fact handled stores
   * nothing twice. Its result is the caller's to keep; nothing is published.
   */
  async redrive(letter: { consumer: string; payload: Uint8Array; streamSequence: number; deliveryCount: number }): Promise<RedriveResult> {
    const handler = this.handlers.get(letter.consumer);
    if (!handler) throw new Error(`no consumer ${letter.consumer} runs in this process`);
    let payload: unknown;
    try {
      payload = EventSchemas[handler.subject].parse(decodeJson(letter.payload));
    } catch {
      return { ok: false, reason: 'payload does not match the contract' };
    }
    try {
      const outcome = await handler.handle(payload as PayloadOf<EventSubject>, {
        deliveryCount: letter.deliveryCount + 1,
        streamSequence: letter.streamSequence,
        working: () => undefined,
      });
      return outcome.type === 'ack' ? { ok: true } : { ok: false, reason: outcome.reason };
    } catch (err) {
      // A dependency that is down says nothing about the letter: the caller hears 503 and the letter stays as it was.
      if (isOutage(err)) throw err;
      return { ok: false, reason: `handler threw: ${(err as Error)?.message ?? String(err)}` };
    }
  }

  /** Messages not yet acked by a durable: waiting plus in handlers (the consumer lag). */
  async pending(stream: StreamDefinition, durable: string): Promise<number> {
    const jsm = await this.nc.jetstreamManager();
    const info = await jsm.consumers.info(this.ns.stream(stream.name), this.ns.durable(durable));
    return info.num_pending + info.num_ack_pending;
  }

  private async loop<S extends EventSubject>(messages: ConsumerMessages, handler: EventHandler<S>, options: ConsumeOptions): Promise<void> {
    const concurrency = options.concurrency;
    const slots = new Set<Promise<void>>();
    for await (const msg of messages) {
      if (this.stopping) {
        msg.nak();
        continue;
      }
      const task = this.process(msg, handler, options).finally(() => {
        slots.delete(task);
        this.inFlight.delete(task);
      });
      slots.add(task);
      this.inFlight.add(task);
      if (slots.size >= concurrency) await Promise.race(slots);
    }
  }

  private async process<S extends EventSubject>(msg: JsMsg, handler: EventHandler<S>, options: ConsumeOptions): Promise<void> {
    const subject = handler.subject;
    const correlationId = msg.headers?.get(HttpHeaders.CorrelationId) || undefined;
    const attempt = msg.info.redeliveryCount;
    let payload: PayloadOf<S>;
    try {
      payload = EventSchemas[subject].parse(decodeJson(msg.data)) as PayloadOf<S>;
    } catch (err) {
      const outcome = await this.deadLetter(msg, subject, Outcome.poison('payload does not match the contract', 'contract'), options);
      this.settle(msg, subject, outcome, correlationId, err);
      return;
    }
    // The stream's timestamp is the server's clock at PubAck: the wait covers the fetch and our own queue
    // (first deliveries only: a retry's wait is its back-off, not the path's).
    if (attempt === 1) this.metrics.observeStage(PipelineStages.ConsumerWait, Date.now() / 1000 - msg.info.timestampNanos / 1e9, options.durable);
    const handled = this.metrics.time(PipelineStages.ConsumerHandle, options.durable);
    let outcome: HandleOutcome;
    let error: unknown;
    try {
      outcome = await handler.handle(payload, { correlationId, deliveryCount: attempt, streamSequence: msg.seq, working: () => msg.working() });
    } catch (err) {
      error = err;
      const message = (err as Error)?.message ?? String(err);
      if (isRejectedValue(err)) outcome = Outcome.poison(`the store refused a value: ${message}`, 'rejected_value');
      else if (err instanceof PermanentFailure) outcome = Outcome.poison(message, 'poison');
      else outcome = Outcome.retry(retryDelayMs(attempt), `handler threw: ${message}`);
    }
    handled();
    const maxDeliver = options.maxDeliver ?? DEFAULT_MAX_DELIVER;
    // An outage fails every event alike: none is given up on for it.
    if (outcome.type === 'nak' && attempt >= maxDeliver && !isOutage(error)) {
      outcome = Outcome.poison(`gave up after ${attempt} deliveries: ${outcome.reason}`, 'exhausted');
    }
    this.settle(msg, subject, await this.deadLetter(msg, subject, outcome, options), correlationId, error);
  }

  private async deadLetter(msg: JsMsg, subject: string, outcome: HandleOutcome, options: ConsumeOptions): Promise<HandleOutcome> {
    if (outcome.type !== 'term') return outcome;
    try {
      await options.deadLetter({
        consumer: options.durable,
        subject,
        streamSequence: msg.seq,
        deliveryCount: msg.info.redeliveryCount,
        kind: outcome.kind,
        reason: outcome.reason,
        data: msg.data,
      });
      this.deadLettered.inc({ consumer: options.durable, kind: outcome.kind });
      return outcome;
    } catch (err) {
      this.logger.error({ subject, seq: msg.seq, err }, 'could not record a dead letter; the event will be retried');
      return Outcome.retry(retryDelayMs(msg.info.redeliveryCount), 'dead-letter record failed');
    }
  }

  private settle(msg: JsMsg, subject: string, outcome: HandleOutcome, correlationId?: string, err?: unknown): void {
    this.metrics.eventsConsumed.inc({ subject, outcome: outcome.type });
    switch (outcome.type) {
      case 'ack':
        msg.ack();
        return;
      case 'nak':
        this.logger.warn({ subject, seq: msg.seq, correlationId, reason: outcome.reason, err }, 'event will be retried');
        msg.nak(outcome.delayMs);
        return;
      case 'term':
        this.logger.error({ subject, seq: msg.seq, correlationId, reason: outcome.reason, err }, 'poison event terminated');
        // No reason on the wire: NATS 2.9 takes only a bare +TERM (a reason makes it ignore the term and redeliver).
        msg.term();
        return;
    }
  }

  /** Called by NatsModule before it drains the connection. */
  async stopAll(): Promise<void> {
    this.stopping = true;
    this.progress.stop();
    for (const messages of this.running) messages.stop();
    // Let handlers that already started finish and ack, so a clean stop redelivers nothing.
    await Promise.allSettled([...this.inFlight]);
  }
}
