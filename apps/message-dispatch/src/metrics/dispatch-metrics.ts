import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Consumers, Streams } from '@zapgate/contracts';
import { EventConsumerService, MetricsService } from '@zapgate/platform';
import { DataSource } from 'typeorm';
import { LiveFeed } from '../channels/live-feed.service';

/** Message-dispatch's Prometheus series; gauges are read from PostgreSQL and JetStream at scrape time. */
@Injectable()
export class DispatchMetrics {
  readonly messages;
  readonly handlerCalls;
  readonly deliveries;
  readonly attemptSeconds;
  readonly storeBatchSize;
  readonly rateFallbacks;

  constructor(
    readonly platform: MetricsService,
    consumers: EventConsumerService,
    @InjectDataSource() dataSource: DataSource,
    live: LiveFeed,
  ) {
    const metrics = platform;
    metrics.gauge('zapgate_sse_streams', 'Open message streams (SSE).', [], async (g) => g.set(live.streams.size));
    metrics.gauge('zapgate_sse_buffered_bytes', 'Bytes written to SSE streams that their readers have not taken yet, in this process.', [], async (g) => {
      let bytes = 0;
      for (const s of live.streams) bytes += s.writableLength;
      g.set(bytes);
    });
    this.messages = metrics.counter('zapgate_dispatch_messages_total', 'Events turned into messages, by source and result (stored, repeat, rejected).', [
      'source',
      'result',
    ]);
    this.handlerCalls = metrics.counter('zapgate_dispatch_handler_calls_total', 'Extension handler calls by outcome.', ['outcome']);
    this.deliveries = metrics.counter('zapgate_deliveries_total', 'Outbound delivery attempts by subscription kind and outcome.', ['kind', 'outcome']);
    this.attemptSeconds = metrics.histogram(
      'zapgate_delivery_attempt_seconds',
      'Outbound delivery attempt latency by kind.',
      ['kind'],
      [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15],
    );
    this.storeBatchSize = metrics.histogram(
      'zapgate_dispatch_store_batch_size',
      'Messages of one target stored per transaction.',
      [],
      [1, 2, 4, 8, 16, 32, 64],
    );
    this.rateFallbacks = metrics.counter(
      'zapgate_dispatch_rate_limit_fallbacks_total',
      'Subscription rate decisions made by this replica alone because the shared window (PostgreSQL) could not be reached.',
      ['reason'],
    );
    metrics.gauge('zapgate_dispatch_consumer_pending', 'Events not yet acked by the dispatch consumer (lag).', [], async (g) => {
      g.set(await consumers.pending(Streams.Webhooks, Consumers.DispatchWebhooks));
    });
    metrics.gauge('zapgate_dead_letters', 'Dead letters: poison events, and deliveries that used up their attempts.', ['kind'], async (g) => {
      const [row] = (await dataSource.query(
        `SELECT (SELECT count(*) FROM "dispatch"."dead_letter")::int AS events, (SELECT count(*) FROM "dispatch"."delivery" WHERE status = 'dead')::int AS deliveries`,
      )) as { events: number; deliveries: number }[];
      g.set({ kind: 'event' }, row.events);
      g.set({ kind: 'delivery' }, row.deliveries);
    });
    metrics.gauge('zapgate_subscriptions', 'Outbound subscriptions by status.', ['status'], async (g) => {
      const rows = (await dataSource.query(`SELECT status, count(*)::int AS n FROM "dispatch"."subscription" GROUP BY status`)) as {
        status: string;
        n: number;
      }[];
      g.set({ status: 'active' }, 0);
      g.set({ status: 'disabled' }, 0);
      for (const r of rows) g.set({ status: r.status }, r.n);
    });
  }
}
