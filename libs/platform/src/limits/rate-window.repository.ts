import type { DataSource } from 'typeorm';

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

/** The rate windows every replica of a service shares (`<schema>.rate_window`, decided by `<schema>.take_rate_quota`). */
export class RateWindowRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly schema: string,
  ) {}

  async take(q: QuotaRequest): Promise<QuotaLease> {
    const [row] = (await this.dataSource.query(
      `SELECT granted, remaining, retry_after_ms::float8 AS retry_after_ms, window_left_ms::float8 AS window_left_ms
         FROM "${this.schema}"."take_rate_quota"($1, $2, $3, $4, $5)`,
      [q.key, q.want, q.limit, q.windowMs, q.lockMs],
    )) as { granted: number; remaining: number; retry_after_ms: number; window_left_ms: number }[];
    return { granted: row.granted, remaining: row.remaining, retryAfterMs: row.retry_after_ms, windowLeftMs: row.window_left_ms };
  }

  /** Windows that no longer weigh on any estimate (older than two windows) and hold no lock-out. */
  async purgeIdle(windowMs: number): Promise<number> {
    const [, count] = (await this.dataSource.query(
      `DELETE FROM "${this.schema}"."rate_window"
        WHERE window_start < (extract(epoch FROM clock_timestamp()) * 1000)::bigint - 2 * $1::bigint
          AND coalesce(locked_until, 0) < (extract(epoch FROM clock_timestamp()) * 1000)::bigint`,
      [windowMs],
    )) as [unknown, number];
    return count;
  }
}

/**
 * The table and function behind RateWindowRepository, for a service's migration. UNLOGGED: counters
 * are written on every lease and are worth nothing after a crash (the limits start again from zero),
 * so they skip the WAL. The function decides a lease in one round trip, under the row's lock and on
 * the database's clock, so replicas whose clocks differ still share the same window. It keeps the
 * in-memory limiter's sliding estimate: the previous window weighted by how much of it still
 * overlaps, rounded up, plus this window's count. A lease asks for `want` and gets what the limit
 * leaves; a lease that gets none starts the lock-out, when there is one.
 */
export function rateWindowMigration(schema: string): { up: string[]; down: string[] } {
  const s = `"${schema}"`;
  return {
    up: [
      `CREATE UNLOGGED TABLE ${s}."rate_window" (
        key text PRIMARY KEY,
        window_start bigint NOT NULL,
        count integer NOT NULL DEFAULT 0,
        previous integer NOT NULL DEFAULT 0,
        locked_until bigint
      )`,
      `CREATE INDEX rate_window_start_idx ON ${s}."rate_window" (window_start)`,
      `CREATE FUNCTION ${s}."take_rate_quota"(p_key text, p_want integer, p_limit integer, p_window_ms bigint, p_lock_ms bigint)
        RETURNS TABLE (granted integer, remaining integer, retry_after_ms bigint, window_left_ms bigint) LANGUAGE plpgsql AS $$
      DECLARE
        now_ms bigint := (extract(epoch FROM clock_timestamp()) * 1000)::bigint;
        ws bigint := now_ms - now_ms % p_window_ms;
        r ${s}."rate_window";
        prev integer;
        cnt integer;
        est integer;
        g integer;
      BEGIN
        INSERT INTO ${s}."rate_window" (key, window_start) VALUES (p_key, ws) ON CONFLICT (key) DO NOTHING;
        SELECT * INTO r FROM ${s}."rate_window" w WHERE w.key = p_key FOR UPDATE;
        IF r.locked_until > now_ms THEN
          RETURN QUERY SELECT 0, 0, r.locked_until - now_ms, ws + p_window_ms - now_ms;
          RETURN;
        END IF;
        prev := CASE WHEN r.window_start = ws THEN r.previous WHEN r.window_start = ws - p_window_ms THEN r.count ELSE 0 END;
        cnt := CASE WHEN r.window_start = ws THEN r.count ELSE 0 END;
        est := ceil(prev * (1 - (now_ms - ws)::float8 / p_window_ms))::integer + cnt;
        g := greatest(0, least(p_want, p_limit - est));
        UPDATE ${s}."rate_window" w SET window_start = ws, previous = prev, count = cnt + g,
          locked_until = CASE WHEN g = 0 AND p_lock_ms > 0 THEN now_ms + p_lock_ms END
        WHERE w.key = p_key;
        RETURN QUERY SELECT g, greatest(0, p_limit - est - g),
          CASE WHEN g > 0 THEN 0::bigint WHEN p_lock_ms > 0 THEN p_lock_ms ELSE ws + p_window_ms - now_ms END,
          ws + p_window_ms - now_ms;
      END $$`,
    ],
    down: [`DROP FUNCTION ${s}."take_rate_quota"(text, integer, integer, bigint, bigint)`, `DROP TABLE ${s}."rate_window"`],
  };
}
