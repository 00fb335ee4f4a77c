import { deleteOlderThan, retentionPolicies } from '@zapgate/platform';
import type { DataSource } from 'typeorm';
import type { IngestConfig } from '../ingest-config.schema';

/** What ingest keeps for a limited time: raw bodies, event records with their outcomes, senders' delivery keys. */
export const eventRetention = retentionPolicies<IngestConfig>('events', (dataSource, config) => [
  {
    name: 'raw_bodies',
    description: 'the raw request body of each event (headers and the record stay)',
    days: config.RAW_BODY_RETENTION_DAYS,
    purgeBatch: (cutoff, limit) => purgeBodies(dataSource, cutoff, limit),
  },
  {
    name: 'events',
    description: 'event records and their outcomes',
    days: config.EVENT_RETENTION_DAYS,
    purgeBatch: (cutoff, limit) => purgeEvents(dataSource, cutoff, limit),
  },
  {
    name: 'dedup_keys',
    description: "senders' delivery ids, once past DEDUP_WINDOW_HOURS",
    days: config.DEDUP_WINDOW_HOURS / 24,
    purgeBatch: (cutoff, limit) => deleteOlderThan(dataSource, { table: '"ingest"."dedup_key"', key: 'key', column: 'first_seen_at' }, cutoff, limit),
  },
]);

async function purgeBodies(dataSource: DataSource, cutoff: Date, limit: number): Promise<number> {
  const [, count] = (await dataSource.query(
    `UPDATE "ingest"."webhook_event" SET request = request - 'body' - 'bodyEncoding', body_purged_at = now()
       WHERE event_id IN (
         SELECT event_id FROM "ingest"."webhook_event"
         WHERE received_at < $1 AND body_purged_at IS NULL AND request IS NOT NULL LIMIT $2 FOR UPDATE SKIP LOCKED)`,
    [cutoff, limit],
  )) as [unknown, number];
  return count;
}

/** An event and its outcome go together; an outcome whose event never reached the log goes by its own age. */
async function purgeEvents(dataSource: DataSource, cutoff: Date, limit: number): Promise<number> {
  const [{ n }] = (await dataSource.query(
    `WITH gone AS (
         DELETE FROM "ingest"."webhook_event" WHERE event_id IN (
           SELECT event_id FROM "ingest"."webhook_event" WHERE received_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)
         RETURNING event_id),
       outcomes AS (DELETE FROM "ingest"."event_outcome" o USING gone WHERE o.event_id = gone.event_id)
       SELECT count(*)::int AS n FROM gone`,
    [cutoff, limit],
  )) as { n: number }[];
  const orphans = await deleteOlderThan(
    dataSource,
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
