import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { RateWindowRepository, SharedRateLimiter } from '@zapgate/platform';
import { DataSource } from 'typeorm';
import { DispatchMetrics } from '../metrics/dispatch-metrics';
import type { RateCheck } from './subscription-throttle';

const SECOND = 1000;

/**
 * Subscriptions' `rate_limit_per_second`, shared by every dispatch replica: one window per
 * subscription in PostgreSQL (dispatch.rate_window), leased from by each replica, so three replicas
 * send an endpoint its rate, not three times it. While PostgreSQL cannot be reached each replica
 * keeps the rate on its own (fail-safe; the deliveries themselves need PostgreSQL anyway).
 */
@Injectable()
export class SubscriptionRates implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(SubscriptionRates.name);
  private readonly windows: RateWindowRepository;
  private readonly shared: SharedRateLimiter;
  private purge?: NodeJS.Timeout;
  private warnedAt = 0;

  constructor(@InjectDataSource() dataSource: DataSource, metrics: DispatchMetrics) {
    this.windows = new RateWindowRepository(dataSource, 'dispatch');
    // The limit is each subscription's own, given with every check.
    this.shared = new SharedRateLimiter(
      (q) => this.windows.take(q),
      { limit: 1, windowMs: SECOND, lockMs: 0 },
      (reason, err) => {
        metrics.rateFallbacks.inc({ reason });
        if (err && Date.now() - this.warnedAt > 60_000) {
          this.warnedAt = Date.now();
          this.logger.warn({ err }, 'shared subscription rates unavailable; each replica paces on its own until PostgreSQL answers');
        }
      },
    );
  }

  /** 0 when a request of the subscription may go now, or the milliseconds until its rate allows one. */
  readonly check: RateCheck = async (sub) => {
    const decision = await this.shared.hit(`subscription:${sub.id}`, sub.rate_limit_per_second);
    return decision.allowed ? 0 : Math.max(1, Math.ceil(decision.retryAfterSeconds * 1000));
  };

  onModuleInit(): void {
    this.purge = setInterval(() => void this.windows.purgeIdle(SECOND).catch(() => undefined), 60_000);
    this.purge.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.purge);
  }
}
