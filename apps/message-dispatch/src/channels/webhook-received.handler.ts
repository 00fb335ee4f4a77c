import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { Consumers, Streams, Subjects, type PayloadOf } from '@zapgate/contracts';
import { APP_CONFIG, EventConsumerService, Outcome, type EventContext, type EventHandler, type HandleOutcome } from '@zapgate/platform';
import type { DispatchConfig } from '../dispatch-config.schema';
import { ChannelStore, type TargetKind } from './channel-store.service';

/** Turns each received webhook event into a stored channel message. */
@Injectable()
export class WebhookReceivedHandler implements EventHandler<typeof Subjects.WebhookReceived>, OnApplicationBootstrap {
  readonly subject = Subjects.WebhookReceived;
  private readonly logger = new Logger(WebhookReceivedHandler.name);

  constructor(
    private readonly store: ChannelStore,
    private readonly consumers: EventConsumerService,
    @Inject(APP_CONFIG) private readonly config: DispatchConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.consumers.start(this, {
      stream: Streams.Webhooks,
      durable: Consumers.DispatchWebhooks,
      concurrency: this.config.DISPATCH_CONCURRENCY,
    });
  }

  async handle(event: PayloadOf<typeof Subjects.WebhookReceived>, ctx: EventContext): Promise<HandleOutcome> {
    const target = event.target;
    if (!event.message || target.kind === 'application') {
      // Incoming webhooks carry the raw request for a handler or formatter; until one turns it into a
      // message there is nothing to store here. The event stays in the stream and in ingest's event log.
      this.logger.debug({ eventId: event.eventId, source: event.source }, 'incoming webhook event has no message to store');
      return Outcome.ack();
    }
    const [kind, name]: [TargetKind, string] =
      target.kind === 'chat' ? ['chat', target.id] : target.kind === 'user' ? ['user', target.email] : [target.kind, target.name];
    await this.store.store({
      eventId: event.eventId,
      targetKind: kind,
      targetName: name,
      senderUserId: event.userId,
      content: event.message as Record<string, unknown> & { text?: string },
      streamSeq: ctx.streamSequence,
      receivedAt: new Date(event.receivedAt),
    });
    return Outcome.ack();
  }
}
