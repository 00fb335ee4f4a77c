import { type DynamicModule, Module } from '@nestjs/common';
import { PlatformModule } from '@zapgate/platform';
import { TokenClientModule } from '@zapgate/token-client';
import { ChannelPostController } from './channel-post/channel-post.controller';
import { StreamProvisioner } from './channel-post/stream-provisioner';
import type { IngestConfig } from './ingest-config.schema';

export const INGEST_SCHEMA = 'ingest';

@Module({})
export class AppModule {
  static forRoot(config: IngestConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({ service: 'webhook-ingest', config, database: { schema: INGEST_SCHEMA, entities: [], migrations: [] } }),
        TokenClientModule.forRoot({ cacheTtlMs: config.TOKEN_CACHE_TTL_MS }),
      ],
      controllers: [ChannelPostController],
      providers: [StreamProvisioner],
    };
  }
}
