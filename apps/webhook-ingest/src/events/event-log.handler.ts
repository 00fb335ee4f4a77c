import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { Consumers, Streams, Subjects, type PayloadOf } from '@zapgate/contracts';
import { APP_CONFIG, DeadLetterRepository, EventConsumerService, Outcome, type EventContext, type EventHandler, type HandleOutcome } from '@zapgate/platform';
import type { IngestConfig } from '../ingest-config.schema';
import { IngestMetrics } from '../ingest/ingest-metrics';
import { EventLogWriter } from './event-log.writer';

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
    private readonly writer: EventLogWriter,
    private readonly consumers: EventConsumerService,
    private readonly metrics: IngestMetrics,
    private readonly deadLetters: DeadLetterRepository,
    @Inject(APP_CONFIG) private readonly config: IngestConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.consumers.start(this, {
      stream: Streams.Webhooks,
      durable: Consumers.IngestEventLog,
      concurrency: this.config.EVENT_LOG_CONCURRENCY,
      deadLetter: (letter) => this.deadLetters.record(letter),
    });
  }

  async handle(event: PayloadOf<typeof Subjects.WebhookReceived>, ctx: EventContext): Promise<HandleOutcome> {
    const inserted = await this.writer.write({ event, streamSeq: ctx.streamSequence });
    if (!inserted) this.metrics.dedupHits.inc({ where: 'event_log' });
    return Outcome.ack();
  }
}
