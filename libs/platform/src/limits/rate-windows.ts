import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { RateWindowRepository } from './rate-window.repository';
import { SharedRateLimiter, type FallbackReason, type SharedLimit } from './shared-rate-limiter';

const MINUTE = 60_000;

/**
 * One service's shared rate windows (`<schema>.rate_window`, one window length for all its keys):
 * the limiters that lease from them, one warning a minute while they cannot be reached, and the
 * purge of windows that no longer count. Any replica may purge; a second purge deletes nothing.
 */
export class RateWindows {
  private readonly logger = new Logger(RateWindows.name);
  private readonly repository: RateWindowRepository;
  private purge?: NodeJS.Timeout;
  private warnedAt = 0;

  constructor(
    dataSource: DataSource,
    schema: string,
    private readonly windowMs: number,
  ) {
    this.repository = new RateWindowRepository(dataSource, schema);
  }

  /** A limiter over these windows; `count` hears of every decision it had to make alone. */
  limiter(limit: Omit<SharedLimit, 'windowMs'>, count: (reason: FallbackReason) => void): SharedRateLimiter {
    return new SharedRateLimiter(
      (q) => this.repository.take(q),
      { ...limit, windowMs: this.windowMs },
      (reason, err) => {
        count(reason);
        // Once per outage is enough: every decision falls back while it lasts.
        if (err && Date.now() - this.warnedAt > MINUTE) {
          this.warnedAt = Date.now();
          this.logger.warn({ err }, 'shared rate limits unavailable; each replica limits on its own until PostgreSQL answers');
        }
      },
    );
  }

  start(): void {
    this.purge = setInterval(() => void this.repository.purgeIdle(this.windowMs).catch(() => undefined), MINUTE);
    this.purge.unref();
  }

  stop(): void {
    clearInterval(this.purge);
  }
}
