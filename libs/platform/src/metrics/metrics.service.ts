import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type LabelValues } from 'prom-client';

/**
 * The stages of the webhook path, each timed in `zapgate_pipeline_stage_seconds{stage}`:
 * where an event's time goes from the POST to the receiver (bench:e2e prints them per rate).
 */
export const PipelineStages = {
  /** ingest: the delivery-key lookup on the request path. */
  IngestDedup: 'ingest_dedup',
  /** ingest: publish to JetStream until the PubAck (the durable write the 2xx waits for). */
  IngestPublish: 'ingest_publish',
  /** any service: a token verification over NATS, request to reply (cache misses only). */
  TokenVerify: 'token_verify',
  /** any service: an appkey check over NATS, request to reply (cache misses only). */
  AppkeyVerify: 'appkey_verify',
  /** a consumer: from the event's stream timestamp to its handler starting (queueing and fetch). */
  ConsumerWait: 'consumer_wait',
  /** a consumer: its handler, from start to settle. */
  ConsumerHandle: 'consumer_handle',
  /** dispatch: an extension handler call. */
  HandlerCall: 'handler_call',
  /** dispatch: storing the message and queueing its deliveries (one statement). */
  Store: 'store',
  /** dispatch: publishing the outcome for ingest's event log, until its PubAck. */
  OutcomePublish: 'outcome_publish',
  /** dispatch: a delivery from its message's storing to its claim by a worker. */
  DeliveryWait: 'delivery_wait',
  /** dispatch: one outbound attempt, claim to answer. */
  DeliverySend: 'delivery_send',
} as const;
export type PipelineStage = (typeof PipelineStages)[keyof typeof PipelineStages];

/**
 * The process's Prometheus registry: Node defaults, the HTTP duration
 * histogram, event-consumer outcomes, and whatever each service registers.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  readonly eventsConsumed: Counter<'subject' | 'outcome'>;
  /** One family for every stage so that a scrape shows the whole path; `consumer` is empty outside consumers. */
  readonly stages: Histogram<'stage' | 'consumer'>;

  constructor(service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
    this.httpDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by method, route template and status.',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
    this.eventsConsumed = this.counter('zapgate_events_consumed_total', 'Events settled by consumers, by subject and outcome.', ['subject', 'outcome']);
    this.stages = this.histogram(
      'zapgate_pipeline_stage_seconds',
      'Time spent in each stage of the webhook path, by stage (and consumer).',
      ['stage', 'consumer'],
      [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    );
  }

  /** Starts timing a stage; call the result when it ends (it also returns the seconds, for a caller's own series). */
  time(stage: PipelineStage, consumer = ''): () => number {
    const started = process.hrtime.bigint();
    return () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.stages.observe({ stage, consumer }, seconds);
      return seconds;
    };
  }

  observeStage(stage: PipelineStage, seconds: number, consumer = ''): void {
    this.stages.observe({ stage, consumer }, Math.max(0, seconds));
  }

  counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return (this.registry.getSingleMetric(name) as Counter<L>) ?? new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  histogram<L extends string>(name: string, help: string, labelNames: readonly L[], buckets: number[]): Histogram<L> {
    return (this.registry.getSingleMetric(name) as Histogram<L>) ?? new Histogram({ name, help, labelNames, buckets, registers: [this.registry] });
  }

  /** A gauge read at scrape time; `collect` sets its values. A failing collect leaves the last values. */
  gauge<L extends string>(name: string, help: string, labelNames: readonly L[], collect: (gauge: Gauge<L>) => Promise<void>): Gauge<L> {
    const existing = this.registry.getSingleMetric(name) as Gauge<L> | undefined;
    if (existing) return existing;
    return new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        await collect(this).catch(() => undefined);
      },
    });
  }

  observeHttp(labels: LabelValues<'method' | 'route' | 'status_code'>, seconds: number): void {
    this.httpDuration.observe(labels, seconds);
  }
}
