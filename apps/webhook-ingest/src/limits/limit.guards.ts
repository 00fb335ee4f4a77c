import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@zapgate/platform';
import type { VerifiedToken } from '@zapgate/token-client';
import type { FastifyRequest } from 'fastify';
import type { IngestConfig } from '../ingest-config.schema';
import { IngestMetrics } from '../ingest/ingest-metrics';
import { IngestException } from '../ingest/ingest.exception';
import { RateLimiter } from './rate-limiter';

/** Cheap per-IP flood guard, in front of any token lookup. */
@Injectable()
export class IpFloodGuard implements CanActivate {
  private readonly limiter: RateLimiter;

  constructor(
    @Inject(APP_CONFIG) config: IngestConfig,
    private readonly metrics: IngestMetrics,
  ) {
    this.limiter = new RateLimiter(config.INGEST_IP_FLOOD_PER_MINUTE, 60_000);
  }

  canActivate(context: ExecutionContext): boolean {
    const decision = this.limiter.hit(context.switchToHttp().getRequest<FastifyRequest>().ip);
    if (decision.allowed) return true;
    this.metrics.rejected.inc({ reason: 'ip_flood' });
    throw IngestException.rateLimited(decision.retryAfterSeconds, 'address');
  }
}

/** Cliq's per-user posting limit (not per token: all of a user's tokens share it). Runs after TokenAuthGuard. */
@Injectable()
export class UserRateLimitGuard implements CanActivate {
  private readonly limiter: RateLimiter;

  constructor(
    @Inject(APP_CONFIG) config: IngestConfig,
    private readonly metrics: IngestMetrics,
  ) {
    this.limiter = new RateLimiter(config.INGEST_RATE_LIMIT_PER_MINUTE, 60_000, config.INGEST_RATE_LIMIT_LOCK_SECONDS * 1000);
  }

  canActivate(context: ExecutionContext): boolean {
    const principal = context.switchToHttp().getRequest<FastifyRequest & { principal?: VerifiedToken }>().principal;
    if (!principal) return true;
    const decision = this.limiter.hit(principal.userId);
    if (decision.allowed) return true;
    this.metrics.rejected.inc({ reason: 'user_rate_limit' });
    throw IngestException.rateLimited(decision.retryAfterSeconds, 'user');
  }
}
