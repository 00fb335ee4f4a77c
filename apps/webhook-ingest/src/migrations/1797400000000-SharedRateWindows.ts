import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rate-limit windows shared by every ingest replica. UNLOGGED: counters are written on every lease
 * and are worth nothing after a crash (the limits start again from zero), so they skip the WAL.
 * `take_rate_quota` decides a lease in one round trip and under the row's lock, on the database's
 * clock, so replicas whose clocks differ still share the same minute.
 */
export class SharedRateWindows1797400000000 implements MigrationInterface {
  name = 'SharedRateWindows1797400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE UNLOGGED TABLE "ingest"."rate_window" (
      key text PRIMARY KEY,
      window_start bigint NOT NULL,
      count integer NOT NULL DEFAULT 0,
      previous integer NOT NULL DEFAULT 0,
      locked_until bigint
    )`);
    await q.query(`CREATE INDEX rate_window_start_idx ON "ingest"."rate_window" (window_start)`);
    // The same sliding estimate as the in-memory limiter: the previous window weighted by how much of it
    // still overlaps, rounded up, plus this window's count. A lease asks for `want` posts and gets what the
    // limit leaves; a lease that gets none starts the lock-out, when there is one.
    await q.query(`CREATE FUNCTION "ingest"."take_rate_quota"(p_key text, p_want integer, p_limit integer, p_window_ms bigint, p_lock_ms bigint)
      RETURNS TABLE (granted integer, remaining integer, retry_after_ms bigint, window_left_ms bigint) LANGUAGE plpgsql AS $$
    DECLARE
      now_ms bigint := (extract(epoch FROM clock_timestamp()) * 1000)::bigint;
      ws bigint := now_ms - now_ms % p_window_ms;
      r "ingest"."rate_window";
      prev integer;
      cnt integer;
      est integer;
      g integer;
    BEGIN
      INSERT INTO "ingest"."rate_window" (key, window_start) VALUES (p_key, ws) ON CONFLICT (key) DO NOTHING;
      SELECT * INTO r FROM "ingest"."rate_window" w WHERE w.key = p_key FOR UPDATE;
      IF r.locked_until > now_ms THEN
        RETURN QUERY SELECT 0, 0, r.locked_until - now_ms, ws + p_window_ms - now_ms;
        RETURN;
      END IF;
      prev := CASE WHEN r.window_start = ws THEN r.previous WHEN r.window_start = ws - p_window_ms THEN r.count ELSE 0 END;
      cnt := CASE WHEN r.window_start = ws THEN r.count ELSE 0 END;
      est := ceil(prev * (1 - (now_ms - ws)::float8 / p_window_ms))::integer + cnt;
      g := greatest(0, least(p_want, p_limit - est));
      UPDATE "ingest"."rate_window" w SET window_start = ws, previous = prev, count = cnt + g,
        locked_until = CASE WHEN g = 0 AND p_lock_ms > 0 THEN now_ms + p_lock_ms END
      WHERE w.key = p_key;
      RETURN QUERY SELECT g, greatest(0, p_limit - est - g),
        CASE WHEN g > 0 THEN 0::bigint WHEN p_lock_ms > 0 THEN p_lock_ms ELSE ws + p_window_ms - now_ms END,
        ws + p_window_ms - now_ms;
    END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION "ingest"."take_rate_quota"(text, integer, integer, bigint, bigint)`);
    await q.query(`DROP TABLE "ingest"."rate_window"`);
  }
}
