import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Consumers, Streams, Subjects, type PayloadOf, type WebhookProcessedV1 } from '@zapgate/contracts';
import { BatchWriter, DeadLetterRepository, EventConsumerService, Outcome, toStorable, type EventHandler, type HandleOutcome } from '@zapgate/platform';
import { DataSource } from 'typeorm';

/** Records what message-dispatch made of each event, so the events API can show it. */
@Injectable()
export class EventOutcomeHandler implements EventHandler<typeof Subjects.WebhookProcessed>, OnApplicationBootstrap {
  readonly subject = Subjects.WebhookProcessed;
  private readonly writes = new BatchWriter<WebhookProcessedV1>((events) => this.upsert(events), 500, 5);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly consumers: EventConsumerService,
    private readonly deadLetters: DeadLetterRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.consumers.start(this, {
      stream: Streams.Webhooks,
      durable: Consumers.IngestEventStatus,
      // Handlers wait for their batch's commit: enough of them in flight to fill batches.
      concurrency: 512,
      deadLetter: (letter) => this.deadLetters.record(letter),
    });
  }

  async handle(event: PayloadOf<typeof Subjects.WebhookProcessed>): Promise<HandleOutcome> {
    await this.writes.add(event);
    return Outcome.ack();
  }

  /**
   * Outcomes that arrive together are one upsert (group commit, like the event log): under load
   * one statement for hundreds instead of one each. A redelivered older verdict must not overwrite
   * a newer one, and one statement may not touch a row twice: the newest per event is kept.
   */
  private async upsert(events: WebhookProcessedV1[]): Promise<void> {
    const newest = new Map<string, WebhookProcessedV1>();
    for (const e of events) if ((newest.get(e.eventId)?.processedAt ?? '') <= e.processedAt) newest.set(e.eventId, e);
    const rows = [...newest.values()].map((e) => ({
      event_id: e.eventId,
      outcome: e.outcome,
      attempts: e.attempts,
      message_ids: e.messageIds,
      // Reasons may quote what a sender or handler sent: stored with NUL and lone surrogates replaced.
      error: e.error ? toStorable(e.error) : null,
      handler: e.handler ?? null,
      processed_at: e.processedAt,
    }));
    await this.dataSource.query(
      `INSERT INTO "ingest"."event_outcome" (event_id, outcome, attempts, message_ids, error, handler, processed_at)
       SELECT event_id, outcome, attempts, message_ids, error, handler, processed_at
       FROM jsonb_to_recordset($1::jsonb) AS v(event_id uuid, outcome text, attempts int, message_ids uuid[], error jsonb, handler jsonb, processed_at timestamptz)
       ON CONFLICT (event_id) DO UPDATE SET outcome = excluded.outcome, attempts = excluded.attempts, message_ids = excluded.message_ids,
         error = excluded.error, handler = excluded.handler, processed_at = excluded.processed_at
       WHERE "event_outcome".processed_at <= excluded.processed_at`,
      [JSON.stringify(rows)],
    );
  }
}
