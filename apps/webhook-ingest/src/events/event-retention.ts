import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { APP_CONFIG, deleteOlderThan, RetentionService } from '@zapgate/platform';
import { DataSource } from 'typeorm';
import type { IngestConfig } from '../ingest-config.schema';

/** What ingest keeps for a limited time: raw bodies, event records with their outcomes, senders' delivery keys. */
@Injectable()
export class EventRetention implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly retention: RetentionService,
    @Inject(APP_CONFIG) private readonly config: IngestConfig,
  ) {}

  onModuleInit(): void {
    this.retention.register({
      name: 'raw_bodies',
      description: 'the raw request body of each event (headers and the record stay)',
      days: this.config.RAW_BODY_RETENTION_DAYS,
      purgeBatch: (cutoff, limit) => this.purgeBodies(cutoff, limit),
    });
    this.retention.register({
      name: 'events',
      description: 'event records and their outcomes',
      days: this.config.EVENT_RETENTION_DAYS,
      purgeBatch: (cutoff, limit) => this.purgeEvents(cutoff, limit),
    });
    this.retention.register({
      name: 'dedup_keys',
      description: "senders' delivery ids, once past DEDUP_WINDOW_HOURS",
      days: this.config.DEDUP_WINDOW_HOURS / 24,
      purgeBatch: (cutoff, limit) => deleteOlderThan(this.dataSource, { table: '"ingest"."dedup_key"', key: 'key', column: 'first_seen_at' }, cutoff, limit),
    });
  }

  private async purgeBodies(cutoff: Date, limit: number): Promise<number> {
    const [, count] = (await this.dataSource.query(
      `UPDATE "ingest"."webhook_event" SET request = request - 'body' - 'bodyEncoding', body_purged_at = now()
       WHERE event_id IN (
         SELECT event_id FROM "ingest"."webhook_event"
         WHERE received_at < $1 AND body_purged_at IS NULL AND request IS NOT NULL LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      [cutoff, limit],
    )) as [unknown, number];
    return count;
  }

  /** An event and its outcome go together; an outcome whose event never reached the log goes by its own age. */
  private async purgeEvents(cutoff: Date, limit: number): Promise<number> {
    const [{ n }] = (await this.dataSource.query(
      `WITH gone AS (
         DELETE FROM "ingest"."webhook_event" WHERE event_id IN (
           SELECT event_id FROM "ingest"."webhook_event" WHERE received_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)
         RETURNING event_id),
       outcomes AS (DELETE FROM "ingest"."event_outcome" o USING gone WHERE o.event_id = gone.event_id)
       SELECT count(*)::int AS n FROM gone`,
      [cutoff, limit],
    )) as { n: number }[];
    const orphans = await deleteOlderThan(
      this.dataSource,
      {
        table: '"ingest"."event_outcome"',
        key: 'event_id',
        column: 'processed_at',
        where: `NOT EXISTS (SELECT 1 FROM "ingest"."webhook_event" e WHERE e.event_id = "ingest"."event_outcome".event_id)`,
      },
      cutoff,
      limit,
    );
    return n + orphans;
  }
}
