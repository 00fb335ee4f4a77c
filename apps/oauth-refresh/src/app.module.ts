import { type DynamicModule, Module } from '@nestjs/common';
import { PlatformModule } from '@zapgate/platform';
import type { OAuthConfig } from './oauth-config.schema';

export const OAUTH_SCHEMA = 'oauth';

/** Connectors and connections arrive with the OAuth issue; the service already owns its schema, health and metrics. */
@Module({})
export class AppModule {
  static forRoot(config: OAuthConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forRoot({ service: 'oauth-refresh', config, database: { schema: OAUTH_SCHEMA, entities: [], migrations: [] } })],
    };
  }
}
