import { type DynamicModule, Module } from '@nestjs/common';
import { Consumers } from '@zapgate/contracts';
import { AuditModule, DeadLetterModule, PlatformModule, RetentionModule, userErasureProviders } from '@zapgate/platform';
import { OwnerAccessGuard, TokenClientModule } from '@zapgate/token-client';
import { AuthorizationController } from './authorization/authorization.controller';
import { StateService } from './authorization/state.service';
import { ConnectionsController } from './connections/connections.controller';
import { ConnectionsEraser } from './connections/connections-eraser';
import { ConnectionsService } from './connections/connections.service';
import { ConnectorsController } from './connectors/connectors.controller';
import { ConnectorsService } from './connectors/connectors.service';
import { OAuthMetrics } from './metrics/oauth-metrics';
import { oauthMigrations } from './migrations';
import type { OAuthConfig } from './oauth-config.schema';
import { ProviderClient } from './provider/provider-client.service';
import { RefreshJournal } from './refresh/refresh-journal.service';
import { RefreshScheduler } from './refresh/refresh-scheduler.service';
import { RefreshService } from './refresh/refresh.service';
import { TokenGetRpcHandler } from './refresh/token-get.rpc-handler';

export const OAUTH_SCHEMA = 'oauth';

@Module({})
export class AppModule {
  static forRoot(config: OAuthConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({ service: 'oauth-refresh', config, database: { schema: OAUTH_SCHEMA, entities: [], migrations: oauthMigrations } }),
        AuditModule.forService({ schema: OAUTH_SCHEMA, route: 'oauth' }),
        RetentionModule.forService({ route: 'oauth' }),
        DeadLetterModule.forService({ schema: OAUTH_SCHEMA, route: 'oauth' }),
        TokenClientModule.forRoot({ cacheTtlMs: config.TOKEN_CACHE_TTL_MS, usageReportMs: config.TOKEN_USAGE_REPORT_MS }),
      ],
      controllers: [ConnectorsController, AuthorizationController, ConnectionsController],
      providers: [
        OwnerAccessGuard,
        OAuthMetrics,
        ConnectorsService,
        ConnectionsService,
        StateService,
        ProviderClient,
        RefreshJournal,
        RefreshService,
        RefreshScheduler,
        TokenGetRpcHandler,
        ...userErasureProviders(Consumers.OAuthUserErasure, ConnectionsEraser),
      ],
    };
  }
}
