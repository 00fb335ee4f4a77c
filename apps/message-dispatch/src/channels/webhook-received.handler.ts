import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { Consumers, Streams, Subjects, type PayloadOf } from '@zapgate/contracts';
import { APP_CONFIG, EventConsumerService, Outcome, type EventContext, type EventHandler, type HandleOutcome } from '@zapgate/platform';
import type { DispatchConfig } from '../dispatch-config.schema';
import { ChannelStore } from './channel-store.service';

/** Turns each received webhook event into a stored channel message. */
@Injectable()
export class WebhookReceivedHandler implements EventHandler<typeof Subjects.WebhookReceived>, OnApplicationBootstrap {
  readonly subject = Subjects.WebhookReceived;

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
    await this.store.store({
      eventId: event.eventId,
      channelName: event.target.name,
      senderUserId: event.userId,
      content: event.message,
      streamSeq: ctx.streamSequence,
      receivedAt: new Date(event.receivedAt),
    });
    return Outcome.ack();
  }
}
