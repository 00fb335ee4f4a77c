import { type DynamicModule, Module } from '@nestjs/common';
import { AppkeyVerifier } from './appkey-verifier';
import { TokenAuthGuard } from './token-auth.guard';
import { TOKEN_CACHE_TTL_MS, TOKEN_USAGE_REPORT_MS, TokenVerifier } from './token-verifier.service';

@Module({})
export class TokenClientModule {
  static forRoot(options: { cacheTtlMs: number; usageReportMs?: number }): DynamicModule {
    return {
      module: TokenClientModule,
      global: true,
      providers: [
        { provide: TOKEN_CACHE_TTL_MS, useValue: options.cacheTtlMs },
        { provide: TOKEN_USAGE_REPORT_MS, useValue: options.usageReportMs ?? 2000 },
        TokenVerifier,
        AppkeyVerifier,
        TokenAuthGuard,
      ],
      exports: [TokenVerifier, AppkeyVerifier, TokenAuthGuard],
    };
  }
}
