import { type DynamicModule, Module } from '@nestjs/common';
import { Consumers } from '@zapgate/contracts';
import { AdminKeyGuard, AuditModule, DeadLetterModule, PlatformModule, RetentionModule, userErasureProviders } from '@zapgate/platform';
import { OwnerAccessGuard, TokenClientModule } from '@zapgate/token-client';
import { ChannelStore } from './channels/channel-store.service';
import { ChannelStoreEraser } from './channels/channel-store-eraser';
import { MessagePoster } from './channels/message-poster.service';
import { messageRetention } from './channels/message-retention';
import { deliveryRetention } from './outbound/delivery-retention';
import { ChannelEntity } from './channels/channel.entity';
import { LiveFeed } from './channels/live-feed.service';
import { MembersController } from './channels/members.controller';
import { MessageEntity } from './channels/message.entity';
import { MessagesController } from './channels/messages.controller';
import { TargetAccess } from './channels/target-access.service';
import type { DispatchConfig } from './dispatch-config.schema';
import { OutcomePublisher } from './events/outcome.publisher';
import { WebhookReceivedHandler } from './events/webhook-received.handler';
import { Directory } from './handlers/directory.service';
import { HandlerClient } from './handlers/handler-client.service';
import { HandlerSecrets } from './handlers/handler-secret.service';
import { HandlerSecretsController } from './handlers/handler-secrets.controller';
import { DispatchMetrics } from './metrics/dispatch-metrics';
import { dispatchMigrations } from './migrations';
import { DeliveriesService } from './outbound/deliveries.service';
import { DeliveryWorker } from './outbound/delivery-worker.service';
import { OutboundGuard } from './outbound/outbound-guard.provider';
import { SubscriptionsController } from './outbound/subscriptions.controller';
import { ConnectionFailedForwarder, TokenRevokedForwarder, UserDeactivatedForwarder } from './operations/operational-events.handlers';
import { OperationalWebhooksController } from './operations/operational-webhooks.controller';
import { OperationsFeed } from './channels/operations-feed';
import { SubscriptionsService } from './outbound/subscriptions.service';
import { SubscriptionSecrets } from './outbound/subscription-secrets.service';
import { SubscriptionRates } from './outbound/subscription-rates';

export const DISPATCH_SCHEMA = 'dispatch';

@Module({})
export class AppModule {
  static forRoot(config: DispatchConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({
          service: 'message-dispatch',
          config,
          database: { schema: DISPATCH_SCHEMA, entities: [ChannelEntity, MessageEntity], migrations: dispatchMigrations },
        }),
        AuditModule.forService({ schema: DISPATCH_SCHEMA, route: 'dispatch' }),
        TokenClientModule.forRoot({ cacheTtlMs: config.TOKEN_CACHE_TTL_MS, usageReportMs: config.TOKEN_USAGE_REPORT_MS }),
        RetentionModule.forService({ route: 'dispatch' }),
        DeadLetterModule.forService({ schema: DISPATCH_SCHEMA, route: 'dispatch' }),
      ],
      controllers: [MessagesController, MembersController, SubscriptionsController, HandlerSecretsController, OperationalWebhooksController],
      providers: [
        deliveryRetention,
        messageRetention,
        ...userErasureProviders(Consumers.DispatchUserErasure, ChannelStoreEraser),
        OwnerAccessGuard,
        ChannelStore,
        MessagePoster,
        TargetAccess,
        LiveFeed,
        DispatchMetrics,
        OutboundGuard,
        Directory,
        HandlerSecrets,
        HandlerClient,
        OutcomePublisher,
        SubscriptionsService,
        SubscriptionSecrets,
        SubscriptionRates,
        DeliveriesService,
        DeliveryWorker,
        WebhookReceivedHandler,
        OperationsFeed,
        TokenRevokedForwarder,
        UserDeactivatedForwarder,
        ConnectionFailedForwarder,
        AdminKeyGuard,
      ],
    };
  }
}
