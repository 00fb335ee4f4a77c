import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Consumers, Streams, Subjects, type PayloadOf } from '@zapgate/contracts';
import { DeadLetterRepository, EventConsumerService, Outcome, type EventHandler, type HandleOutcome } from '@zapgate/platform';
import { DataSource } from 'typeorm';

/** Records what message-dispatch made of each event, so the events API can show it. */
@Injectable()
export class EventOutcomeHandler implements EventHandler<typeof Subjects.WebhookProcessed>, OnApplicationBootstrap {
  readonly subject = Subjects.WebhookProcessed;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly consumers: EventConsumerService,
    private readonly deadLetters: DeadLetterRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.consumers.start(this, {
      stream: Streams.Webhooks,
      durable: Consumers.IngestEventStatus,
      concurrency: 32,
      deadLetter: (letter) => this.deadLetters.record(letter),
    });
  }

  async handle(event: PayloadOf<typeof Subjects.WebhookProcessed>): Promise<HandleOutcome> {
    // A redelivered older verdict must not overwrite a newer one.
    await this.dataSource.query(
      `INSERT INTO "ingest"."event_outcome" (event_id, outcome, attempts, message_ids, error, handler, processed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (event_id) DO UPDATE SET outcome = excluded.outcome, attempts = excluded.attempts, message_ids = excluded.message_ids,
         error = excluded.error, handler = excluded.handler, processed_at = excluded.processed_at
       WHERE "event_outcome".processed_at <= excluded.processed_at`,
      [event.eventId, event.outcome, event.attempts, event.messageIds, event.error ?? null, event.handler ?? null, event.processedAt],
    );
    return Outcome.ack();
  }
}
