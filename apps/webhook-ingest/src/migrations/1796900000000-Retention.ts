import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retention: when an event's raw body was purged (the record stays until
 * the event itself goes), and the indexes the purge walks by age.
 */
export class Retention1796900000000 implements MigrationInterface {
  name = 'Retention1796900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "ingest"."webhook_event" ADD COLUMN body_purged_at timestamptz`);
    await q.query(`CREATE INDEX webhook_event_body_kept_idx ON "ingest"."webhook_event" (received_at) WHERE body_purged_at IS NULL AND request IS NOT NULL`);
    await q.query(`CREATE INDEX event_outcome_processed_idx ON "ingest"."event_outcome" (processed_at)`);
    await q.query(`CREATE INDEX dedup_key_first_seen_idx ON "ingest"."dedup_key" (first_seen_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "ingest"."dedup_key_first_seen_idx"`);
    await q.query(`DROP INDEX "ingest"."event_outcome_processed_idx"`);
    await q.query(`DROP INDEX "ingest"."webhook_event_body_kept_idx"`);
    await q.query(`ALTER TABLE "ingest"."webhook_event" DROP COLUMN body_purged_at`);
  }
}
