import { Injectable } from '@nestjs/common';
import { Subjects, type WebhookProcessedV1 } from '@zapgate/contracts';
import { JetStreamService } from '@zapgate/platform';

/** A verdict before it is stamped; spelled out because `Omit` over a loose schema type loses its keys. */
export interface OutcomeReport {
  eventId: string;
  attempts: number;
  outcome: WebhookProcessedV1['outcome'];
  messageIds: string[];
  error?: WebhookProcessedV1['error'];
  handler?: WebhookProcessedV1['handler'];
}

/** Tells ingest what became of an event. Durable: if it cannot be published, the event is retried. */
@Injectable()
export class OutcomePublisher {
  constructor(private readonly jetstream: JetStreamService) {}

  async report(outcome: OutcomeReport, correlationId?: string): Promise<void> {
    const processedAt = new Date().toISOString();
    await this.jetstream.publish(
      Subjects.WebhookProcessed,
      { ...outcome, processedAt },
      { msgID: `${outcome.eventId}:${outcome.attempts}:${outcome.outcome}`, correlationId },
    );
  }
}
