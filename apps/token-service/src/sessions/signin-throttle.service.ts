import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { APP_CONFIG } from '@zapgate/platform';
import { DataSource } from 'typeorm';
import type { TokenConfig } from '../token-config.schema';
import { TokenException } from '../tokens/token.exception';

export interface ThrottleKeys {
  account: string;
  ip?: string;
}

/**
 * Failed sign-ins per account and per IP, kept in PostgreSQL so every replica
 * sees the same counts. Too many failures within the window lock the key for
 * SIGNIN_LOCK_SECONDS; a success clears the account's count (not the IP's).
 */
@Injectable()
export class SignInThrottle {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: TokenConfig,
  ) {}

  async assertAllowed(keys: ThrottleKeys): Promise<void> {
    const rows = (await this.dataSource.query(
      `SELECT EXTRACT(EPOCH FROM (max(locked_until) - now()))::float AS wait
         FROM "token"."signin_throttle" WHERE key = ANY($1) AND locked_until > now()`,
      [this.keyList(keys)],
    )) as { wait: number | null }[];
    if (rows[0]?.wait) throw TokenException.retryAfter(rows[0].wait);
  }

  async recordFailure(keys: ThrottleKeys): Promise<void> {
    const limits: [string, number][] = [[`account:${keys.account.toLowerCase()}`, this.config.SIGNIN_MAX_FAILURES_PER_ACCOUNT]];
    if (keys.ip) limits.push([`ip:${keys.ip}`, this.config.SIGNIN_MAX_FAILURES_PER_IP]);
    for (const [key, max] of limits) {
      await this.dataSource.query(
        `INSERT INTO "token"."signin_throttle" AS s (key, failures, window_started_at) VALUES ($1, 1, now())
         ON CONFLICT (key) DO UPDATE SET
           failures = CASE WHEN s.window_started_at < now() - make_interval(secs => $2) THEN 1 ELSE s.failures + 1 END,
           window_started_at = CASE WHEN s.window_started_at < now() - make_interval(secs => $2) THEN now() ELSE s.window_started_at END`,
        [key, this.config.SIGNIN_WINDOW_SECONDS],
      );
      await this.dataSource.query(
        `UPDATE "token"."signin_throttle" SET locked_until = now() + make_interval(secs => $3), failures = 0, window_started_at = now()
          WHERE key = $1 AND failures >= $2`,
        [key, max, this.config.SIGNIN_LOCK_SECONDS],
      );
    }
  }

  async recordSuccess(keys: ThrottleKeys): Promise<void> {
    await this.dataSource.query(`DELETE FROM "token"."signin_throttle" WHERE key = $1`, [`account:${keys.account.toLowerCase()}`]);
  }

  private keyList(keys: ThrottleKeys): string[] {
    return [`account:${keys.account.toLowerCase()}`, ...(keys.ip ? [`ip:${keys.ip}`] : [])];
  }
}
