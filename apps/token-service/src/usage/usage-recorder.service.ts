import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { APP_CONFIG, MetricsService } from '@zapgate/platform';
import type { Counter } from 'prom-client';
import { DataSource } from 'typeorm';
import type { TokenConfig } from '../token-config.schema';
import type { TokenUsedV1 } from '@zapgate/contracts';

const HOUR_MS = 3_600_000;

interface LastUse {
  at: number;
  ip: string | null;
}

/**
 * Counts token verifications without a database write per request: counts
 * are aggregated in memory per (token, hour) and written in one statement
 * every USAGE_FLUSH_INTERVAL_MS and at shutdown. A failed flush keeps its
 * counts for the next one, so nothing counted is dropped while the process
 * lives; a kill -9 loses at most one interval.
 */
@Injectable()
export class UsageRecorder implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(UsageRecorder.name);
  private counts = new Map<string, number>();
  private lastUse = new Map<string, LastUse>();
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;
  private readonly flushes: Counter<'outcome'>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: TokenConfig,
    metrics: MetricsService,
  ) {
    this.flushes = metrics.counter('zapgate_token_usage_flushes_total', 'Usage flushes by outcome.', ['outcome']);
  }

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), this.config.USAGE_FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  /** NATS has stopped serving by now (NatsModule.beforeApplicationShutdown), so this flush is the last. */
  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  record(tokenId: string, ip?: string, at = Date.now()): void {
    const key = `${tokenId}|${Math.floor(at / HOUR_MS) * HOUR_MS}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    const previous = this.lastUse.get(tokenId);
    if (!previous || previous.at <= at) this.lastUse.set(tokenId, { at, ip: ip ?? previous?.ip ?? null });
  }

  /** Writes what has been counted so far; concurrent callers share one flush. */
  flush(): Promise<void> {
    this.flushing ??= this.write().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async write(): Promise<void> {
    if (this.counts.size === 0 && this.lastUse.size === 0) return;
    const counts = this.counts;
    const lastUse = this.lastUse;
    this.counts = new Map();
    this.lastUse = new Map();
    const ids: string[] = [];
    const hours: string[] = [];
    const values: number[] = [];
    for (const [key, count] of counts) {
      const [id, hour] = key.split('|');
      ids.push(id);
      hours.push(new Date(Number(hour)).toISOString());
      values.push(count);
    }
    try {
      await this.dataSource.transaction(async (tx) => {
        // Tokens deleted meanwhile are skipped by the join instead of failing the whole batch.
        await tx.query(
          `INSERT INTO "token"."usage_hourly" (token_id, hour, count)
           SELECT v.id, v.hour, v.count FROM unnest($1::uuid[], $2::timestamptz[], $3::bigint[]) AS v(id, hour, count)
           JOIN "token"."token" t ON t.id = v.id
           ON CONFLICT (token_id, hour) DO UPDATE SET count = "usage_hourly".count + EXCLUDED.count`,
          [ids, hours, values],
        );
        const used = [...lastUse];
        await tx.query(
          `UPDATE "token"."token" t SET last_used_at = v.at, last_used_ip = COALESCE(v.ip, t.last_used_ip)
             FROM unnest($1::uuid[], $2::timestamptz[], $3::text[]) AS v(id, at, ip)
            WHERE t.id = v.id AND (t.last_used_at IS NULL OR t.last_used_at < v.at)`,
          [used.map(([id]) => id), used.map(([, u]) => new Date(u.at).toISOString()), used.map(([, u]) => u.ip)],
        );
      });
      this.flushes.inc({ outcome: 'ok' });
    } catch (err) {
      this.flushes.inc({ outcome: 'error' });
      this.logger.warn({ err, pending: counts.size }, 'usage flush failed; keeping the counts for the next flush');
      for (const [key, count] of counts) this.counts.set(key, (this.counts.get(key) ?? 0) + count);
      for (const [id, use] of lastUse) {
        const newer = this.lastUse.get(id);
        if (!newer || newer.at < use.at) this.lastUse.set(id, use);
      }
    }
  }

  /**
   * Adds a verifier's report (uses it answered from its cache) in one
   * transaction with the report's id, so a redelivered report counts once.
   */
  async applyReport(report: TokenUsedV1): Promise<'applied' | 'repeat'> {
    return this.dataSource.transaction(async (tx) => {
      const [fresh] = (await tx.query(`INSERT INTO "token"."usage_report" (id) VALUES ($1) ON CONFLICT DO NOTHING RETURNING id`, [
        `${report.reporter}:${report.seq}`,
      ])) as { id: string }[];
      if (!fresh) return 'repeat';
      const u = report.uses;
      await tx.query(
        `INSERT INTO "token"."usage_hourly" (token_id, hour, count)
         SELECT v.id, v.hour, sum(v.count) FROM unnest($1::uuid[], $2::timestamptz[], $3::bigint[]) AS v(id, hour, count)
         JOIN "token"."token" t ON t.id = v.id
         GROUP BY v.id, v.hour
         ON CONFLICT (token_id, hour) DO UPDATE SET count = "usage_hourly".count + EXCLUDED.count`,
        [u.map((x) => x.tokenId), u.map((x) => x.hour), u.map((x) => x.count)],
      );
      await tx.query(
        `UPDATE "token"."token" t SET last_used_at = v.at, last_used_ip = COALESCE(v.ip, t.last_used_ip)
           FROM (SELECT DISTINCT ON (id) id, at, ip FROM unnest($1::uuid[], $2::timestamptz[], $3::text[]) AS x(id, at, ip) ORDER BY id, at DESC) v
          WHERE t.id = v.id AND (t.last_used_at IS NULL OR t.last_used_at < v.at)`,
        [u.map((x) => x.tokenId), u.map((x) => x.lastUsedAt), u.map((x) => x.lastIp)],
      );
      return 'applied';
    });
  }
}
