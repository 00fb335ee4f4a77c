import { type DynamicModule, Module } from '@nestjs/common';
import { AppkeyVerifier } from './appkey-verifier';
import { TokenAuthGuard } from './token-auth.guard';
import { TOKEN_CACHE_TTL_MS, TokenVerifier } from './token-verifier.service';

@Module({})
export class TokenClientModule {
  static forRoot(options: { cacheTtlMs: number }): DynamicModule {
    return {
      module: TokenClientModule,
      global: true,
      providers: [{ provide: TOKEN_CACHE_TTL_MS, useValue: options.cacheTtlMs }, TokenVerifier, AppkeyVerifier, TokenAuthGuard],
      exports: [TokenVerifier, AppkeyVerifier, TokenAuthGuard],
    };
  }
}
