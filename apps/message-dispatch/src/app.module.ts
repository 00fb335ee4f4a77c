import { type DynamicModule, Module } from '@nestjs/common';
import { PlatformModule } from '@zapgate/platform';
import { TokenClientModule } from '@zapgate/token-client';
import { ChannelMessagesController } from './channels/channel-messages.controller';
import { ChannelStore } from './channels/channel-store.service';
import { ChannelEntity } from './channels/channel.entity';
import { MessageEntity } from './channels/message.entity';
import { WebhookReceivedHandler } from './channels/webhook-received.handler';
import type { DispatchConfig } from './dispatch-config.schema';
import { dispatchMigrations } from './migrations';

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
        TokenClientModule.forRoot({ cacheTtlMs: config.TOKEN_CACHE_TTL_MS }),
      ],
      controllers: [ChannelMessagesController],
      providers: [ChannelStore, WebhookReceivedHandler],
    };
  }
}
