import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Consumers, Streams, Subjects, type PayloadOf } from '@zapgate/contracts';
import { APP_CONFIG, EventConsumerService, Outcome, type EventContext, type EventHandler, type HandleOutcome } from '@zapgate/platform';
import { DataSource } from 'typeorm';
import type { IngestConfig } from '../ingest-config.schema';
import { IngestMetrics } from '../ingest/ingest-metrics';

/**
 * Writes every accepted event into PostgreSQL for inspection and replay. It
 * reads the stream like any consumer instead of writing on the request path:
 * the request path keeps one durable write (the PubAck), and a crash between
 * the two loses nothing because the stream redelivers what was not acked.
 */
@Injectable()
export class EventLogHandler implements EventHandler<typeof Subjects.WebhookReceived>, OnApplicationBootstrap {
  readonly subject = Subjects.WebhookReceived;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly consumers: EventConsumerService,
    private readonly metrics: IngestMetrics,
    @Inject(APP_CONFIG) private readonly config: IngestConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.consumers.start(this, { stream: Streams.Webhooks, durable: Consumers.IngestEventLog, concurrency: this.config.EVENT_LOG_CONCURRENCY });
  }

  async handle(e: PayloadOf<typeof Subjects.WebhookReceived>, ctx: EventContext): Promise<HandleOutcome> {
    const inserted = (await this.dataSource.query(
      `INSERT INTO "ingest"."webhook_event"
         (event_id, app_id, user_id, token_id, source, target, request, message, sender, dedup_key, replay_of, stream_seq, received_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
       ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
      [
        e.eventId,
        e.appId ?? null,
        e.userId,
        e.tokenId,
        e.source,
        e.target,
        e.request ?? null,
        e.message ?? null,
        e.sender ?? null,
        e.dedupKey ?? null,
        e.replayOf ?? null,
        ctx.streamSequence,
        e.receivedAt,
      ],
    )) as unknown[];
    if (inserted.length === 0) this.metrics.dedupHits.inc({ where: 'event_log' });
    if (e.dedupKey) {
      // Starts (or, past the window, restarts) the key's window.
      await this.dataSource.query(
        `INSERT INTO "ingest"."dedup_key" AS d (key, event_id, first_seen_at) VALUES ($1, $2, $3)
         ON CONFLICT (key) DO UPDATE SET event_id = EXCLUDED.event_id, first_seen_at = EXCLUDED.first_seen_at
         WHERE d.first_seen_at < now() - make_interval(hours => $4)`,
        [e.dedupKey, e.eventId, e.receivedAt, this.config.DEDUP_WINDOW_HOURS],
      );
    }
    return Outcome.ack();
  }
}
