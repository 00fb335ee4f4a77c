import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AdminKeyGuard, AuditModule, DeadLetterModule, PlatformModule, RetentionModule } from '@zapgate/platform';
import { AdminApplicationsController } from './admin/admin-applications.controller';
import { AdminUsersController } from './admin/admin-users.controller';
import { ApplicationEntity } from './applications/application.entity';
import { ApplicationsVerifyRpcHandler } from './applications/applications-verify.rpc-handler';
import { ApplicationsService } from './applications/applications.service';
import { DirectoryRpcHandler } from './applications/directory.rpc-handler';
import { OwnerKeyGuard } from './applications/owner-key.guard';
import { AdminTokensController } from './directory/admin-tokens.controller';
import { ApplicationTokensController } from './directory/application-tokens.controller';
import { DirectoryRepository } from './directory/directory.repository';
import { ExtensionsController } from './extensions/extensions.controller';
import { SelfServiceController } from './extensions/self-service.controller';
import { SelfServiceLinks } from './extensions/self-service-links';
import { LegacyAuthtokenController } from './legacy/legacy-authtoken.controller';
import { tokenMigrations } from './migrations';
import { OperatorKeysController } from './operators/operator-keys.controller';
import { OperatorKeysRepository } from './operators/operator-keys.repository';
import { OperatorKeysService } from './operators/operator-keys.service';
import { OperatorsVerifyRpcHandler } from './operators/operators-verify.rpc-handler';
import { CredentialsService } from './sessions/credentials.service';
import { SessionEntity } from './sessions/session.entity';
import { SessionGuard } from './sessions/session.guard';
import { SessionsController } from './sessions/sessions.controller';
import { SessionsService } from './sessions/sessions.service';
import { SignInThrottle } from './sessions/signin-throttle.service';
import type { TokenConfig } from './token-config.schema';
import { CurrentTokenController } from './tokens/current-token.controller';
import { TokenEventsPublisher } from './tokens/token-events.publisher';
import { TokenHasher } from './tokens/token-hasher';
import { TokenEntity } from './tokens/token.entity';
import { TokenStreamProvisioner } from './tokens/token-stream.provisioner';
import { TokensController } from './tokens/tokens.controller';
import { TokensService } from './tokens/tokens.service';
import { VerifyRpcHandler } from './tokens/verify.rpc-handler';
import { UsageQuery } from './usage/usage-query.service';
import { TokenUsageHandler } from './usage/token-usage.handler';
import { UsageRecorder } from './usage/usage-recorder.service';
import { usageRetention } from './usage/usage-retention';
import { UserEntity } from './users/user.entity';
import { UsersService } from './users/users.service';

export const TOKEN_SCHEMA = 'token';
const entities = [UserEntity, TokenEntity, ApplicationEntity, SessionEntity];

@Module({})
export class AppModule {
  static forRoot(config: TokenConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({ service: 'token-service', config, database: { schema: TOKEN_SCHEMA, entities, migrations: tokenMigrations } }),
        AuditModule.forService({ schema: TOKEN_SCHEMA, route: 'token-service' }),
        TypeOrmModule.forFeature(entities),
        RetentionModule.forService({ route: 'token-service' }),
        DeadLetterModule.forService({ schema: TOKEN_SCHEMA, route: 'token-service' }),
      ],
      controllers: [
        AdminUsersController,
        AdminApplicationsController,
        ExtensionsController,
        LegacyAuthtokenController,
        SessionsController,
        CurrentTokenController,
        TokensController,
        AdminTokensController,
        SelfServiceController,
        OperatorKeysController,
        ApplicationTokensController,
      ],
      providers: [
        { provide: TokenHasher, useValue: new TokenHasher(config.TOKEN_PEPPER) },
        AdminKeyGuard,
        OwnerKeyGuard,
        SessionGuard,
        DirectoryRepository,
        SelfServiceLinks,
        OperatorKeysRepository,
        OperatorKeysService,
        OperatorsVerifyRpcHandler,
        UsersService,
        ApplicationsService,
        DirectoryRpcHandler,
        TokensService,
        TokenEventsPublisher,
        TokenStreamProvisioner,
        UsageRecorder,
        usageRetention,
        TokenUsageHandler,
        UsageQuery,
        SignInThrottle,
        CredentialsService,
        SessionsService,
        VerifyRpcHandler,
        ApplicationsVerifyRpcHandler,
      ],
    };
  }
}
