import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { APP_CONFIG } from '@zapgate/platform';
import { DataSource } from 'typeorm';
import { StateService } from '../authorization/state.service';
import type { OAuthConfig } from '../oauth-config.schema';
import { RefreshService, type ClaimedRow } from './refresh.service';

/**
 * Refreshes connections ahead of expiry. Every replica runs it; each tick
 * claims due rows with FOR UPDATE SKIP LOCKED and a lease, so replicas split
 * the work and never take the same connection.
 */
@Injectable()
export class RefreshScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RefreshScheduler.name);
  private readonly running = new Set<Promise<unknown>>();
  private timer?: NodeJS.Timeout;
  /** The claim in progress, if any: shutdown waits for it, since it may start refreshes. */
  private claiming?: Promise<void>;
  /** The last claim filled every free slot: there is probably more due, so claim again as slots free up. */
  private backlog = false;
  private ticks = 0;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly refresher: RefreshService,
    private readonly states: StateService,
    @Inject(APP_CONFIG) private readonly config: OAuthConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), this.config.REFRESH_SCHEDULER_INTERVAL_MS);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.claiming;
    await Promise.allSettled([...this.running]);
    this.logger.debug('refresh scheduler stopped');
  }

  tick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.claiming ??= this.claim().finally(() => (this.claiming = undefined));
    return this.claiming;
  }

  private async claim(): Promise<void> {
    try {
      const room = this.config.REFRESH_CONCURRENCY - this.running.size;
      if (room > 0) {
        const [rows] = (await this.dataSource.query(
          `WITH due AS (
             SELECT id, lease_token AS abandoned_lease FROM "oauth"."connection"
             WHERE status = 'active' AND refresh_at <= now() AND (lease_until IS NULL OR lease_until < now())
             ORDER BY refresh_at LIMIT $1 FOR UPDATE SKIP LOCKED)
           UPDATE "oauth"."connection" c SET lease_token = gen_random_uuid(), lease_until = now() + make_interval(secs => $2)
           FROM due WHERE c.id = due.id RETURNING c.*, due.abandoned_lease`,
          [room, this.config.REFRESH_LEASE_SECONDS],
        )) as [ClaimedRow[], number];
        for (const row of rows) {
          const job = this.refresher
            .runClaimed(row, 'schedule')
            .catch((err: unknown) => this.logger.debug({ err, connectionId: row.id }, 'scheduled refresh did not complete'))
            .finally(() => {
              this.running.delete(job);
              if (this.backlog) void this.tick();
            });
          this.running.add(job);
        }
        this.backlog = rows.length === room;
      }
      if (++this.ticks % 600 === 0) await this.housekeeping();
    } catch (err) {
      this.logger.warn({ err }, 'refresh scheduler tick failed; will try again');
    }
  }

  /** Old budget records and spent authorization states. */
  private async housekeeping(): Promise<void> {
    await this.dataSource.query(`DELETE FROM "oauth"."refresh_call" WHERE called_at < now() - interval '1 day'`);
    await this.states.sweep();
  }
}
