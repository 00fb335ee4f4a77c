import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { RateWindows, type SharedRateLimiter } from '@zapgate/platform';
import { DataSource } from 'typeorm';
import { DispatchMetrics } from '../metrics/dispatch-metrics';
import type { RateCheck } from './subscription-throttle';

/**
 * Subscriptions' `rate_limit_per_second`, shared by every dispatch replica: one window per
 * subscription in PostgreSQL (dispatch.rate_window), leased from by each replica, so three replicas
 * send an endpoint its rate, not three times it. While PostgreSQL cannot be reached each replica
 * keeps the rate on its own (fail-safe; the deliveries themselves need PostgreSQL anyway).
 */
@Injectable()
export class SubscriptionRates implements OnModuleInit, OnModuleDestroy {
  private readonly windows: RateWindows;
  private readonly shared: SharedRateLimiter;

  constructor(@InjectDataSource() dataSource: DataSource, metrics: DispatchMetrics) {
    this.windows = new RateWindows(dataSource, 'dispatch', 1000);
    // The limit is each subscription's own, given with every check.
    this.shared = this.windows.limiter({ limit: 1, lockMs: 0 }, (reason) => metrics.rateFallbacks.inc({ reason }));
  }

  /** 0 when a request of the subscription may go now, or the milliseconds until its rate allows one. */
  readonly check: RateCheck = async (sub) => {
    const decision = await this.shared.hit(`subscription:${sub.id}`, sub.rate_limit_per_second);
    return decision.allowed ? 0 : Math.max(1, Math.ceil(decision.retryAfterSeconds * 1000));
  };

  onModuleInit(): void {
    this.windows.start();
  }

  onModuleDestroy(): void {
    this.windows.stop();
  }
}
