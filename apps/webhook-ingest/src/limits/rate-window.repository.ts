import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** What the shared window granted: posts to spend here, what the limit still leaves, and for how long. */
export interface QuotaLease {
  granted: number;
  remaining: number;
  retryAfterMs: number;
  /** Until the window ends: the grant is spent within it or not at all. */
  windowLeftMs: number;
}

export interface QuotaRequest {
  key: string;
  want: number;
  limit: number;
  windowMs: number;
  lockMs: number;
}

/** The rate windows every replica shares (ingest.rate_window, decided by take_rate_quota). */
@Injectable()
export class RateWindowRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async take(q: QuotaRequest): Promise<QuotaLease> {
    const [row] = (await this.dataSource.query(
      `SELECT granted, remaining, retry_after_ms::float8 AS retry_after_ms, window_left_ms::float8 AS window_left_ms
         FROM "ingest"."take_rate_quota"($1, $2, $3, $4, $5)`,
      [q.key, q.want, q.limit, q.windowMs, q.lockMs],
    )) as { granted: number; remaining: number; retry_after_ms: number; window_left_ms: number }[];
    return { granted: row.granted, remaining: row.remaining, retryAfterMs: row.retry_after_ms, windowLeftMs: row.window_left_ms };
  }

  /** Windows that no longer weigh on any estimate and hold no lock-out. */
  async purgeIdle(windowMs: number): Promise<number> {
    const [, count] = (await this.dataSource.query(
      `DELETE FROM "ingest"."rate_window"
        WHERE window_start < (extract(epoch FROM clock_timestamp()) * 1000)::bigint - 2 * $1::bigint
          AND coalesce(locked_until, 0) < (extract(epoch FROM clock_timestamp()) * 1000)::bigint`,
      [windowMs],
    )) as [unknown, number];
    return count;
  }
}
