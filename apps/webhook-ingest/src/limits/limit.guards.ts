import { type CanActivate, type ExecutionContext, Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { APP_CONFIG, RateWindows, SharedRateLimiter, type LimitDecision } from '@zapgate/platform';
import type { VerifiedToken } from '@zapgate/token-client';
import type { FastifyRequest } from 'fastify';
import type { IngestConfig } from '../ingest-config.schema';
import { IngestMetrics } from '../ingest/ingest-metrics';
import { IngestException } from '../ingest/ingest.exception';
import { DataSource } from 'typeorm';

const MINUTE = 60_000;

/** A guard's answer from a limit decision: synchronous when the decision is (most posts), a promise when it is not. */
function settle(decision: LimitDecision | Promise<LimitDecision>, refuse: (refused: LimitDecision) => Error): boolean | Promise<boolean> {
  const judge = (d: LimitDecision) => {
    if (d.allowed) return true;
    throw refuse(d);
  };
  return decision instanceof Promise ? decision.then(judge) : judge(decision);
}

/** The two ingest limits, shared by every replica through PostgreSQL (see SharedRateLimiter). */
@Injectable()
export class SharedLimits implements OnModuleInit, OnModuleDestroy {
  private readonly windows: RateWindows;
  readonly perIp: SharedRateLimiter;
  readonly perUser: SharedRateLimiter;

  constructor(@Inject(APP_CONFIG) config: IngestConfig, @InjectDataSource() dataSource: DataSource, metrics: IngestMetrics) {
    this.windows = new RateWindows(dataSource, 'ingest', MINUTE);
    this.perIp = this.windows.limiter({ limit: config.INGEST_IP_FLOOD_PER_MINUTE, lockMs: 0 }, (reason) => metrics.limitFallbacks.inc({ limit: 'ip', reason }));
    this.perUser = this.windows.limiter({ limit: config.INGEST_RATE_LIMIT_PER_MINUTE, lockMs: config.INGEST_RATE_LIMIT_LOCK_SECONDS * 1000 }, (reason) =>
      metrics.limitFallbacks.inc({ limit: 'user', reason }),
    );
  }

  onModuleInit(): void {
    this.windows.start();
  }

  onModuleDestroy(): void {
    this.windows.stop();
  }
}

/** Cheap per-IP flood guard, in front of any token lookup. */
@Injectable()
export class IpFloodGuard implements CanActivate {
  constructor(
    private readonly limits: SharedLimits,
    private readonly metrics: IngestMetrics,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    return settle(this.limits.perIp.hit(`ip:${context.switchToHttp().getRequest<FastifyRequest>().ip}`), (refused) => {
      this.metrics.rejected.inc({ reason: 'ip_flood' });
      return IngestException.rateLimited(refused.retryAfterSeconds, 'address');
    });
  }
}

/** Cliq's per-user posting limit (not per token: all of a user's tokens share it). Runs after TokenAuthGuard. */
@Injectable()
export class UserRateLimitGuard implements CanActivate {
  constructor(
    private readonly limits: SharedLimits,
    private readonly metrics: IngestMetrics,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const principal = context.switchToHttp().getRequest<FastifyRequest & { principal?: VerifiedToken }>().principal;
    if (!principal) return true;
    return settle(this.limits.perUser.hit(`user:${principal.userId}`), (refused) => {
      this.metrics.rejected.inc({ reason: 'user_rate_limit' });
      return IngestException.rateLimited(refused.retryAfterSeconds, 'user');
    });
  }
}
