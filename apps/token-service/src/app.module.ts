import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PlatformModule } from '@zapgate/platform';
import { AdminController } from './admin/admin.controller';
import { AdminKeyGuard } from './admin/admin-key.guard';
import { tokenMigrations } from './migrations';
import type { TokenConfig } from './token-config.schema';
import { TokenHasher } from './tokens/token-hasher';
import { TokenEntity } from './tokens/token.entity';
import { TokensService } from './tokens/tokens.service';
import { VerifyRpcHandler } from './tokens/verify.rpc-handler';
import { UserEntity } from './users/user.entity';
import { UsersService } from './users/users.service';

export const TOKEN_SCHEMA = 'token';
const entities = [UserEntity, TokenEntity];

@Module({})
export class AppModule {
  static forRoot(config: TokenConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({ service: 'token-service', config, database: { schema: TOKEN_SCHEMA, entities, migrations: tokenMigrations } }),
        TypeOrmModule.forFeature(entities),
      ],
      controllers: [AdminController],
      providers: [
        { provide: TokenHasher, useValue: new TokenHasher(config.TOKEN_PEPPER) },
        AdminKeyGuard,
        UsersService,
        TokensService,
        VerifyRpcHandler,
      ],
    };
  }
}
