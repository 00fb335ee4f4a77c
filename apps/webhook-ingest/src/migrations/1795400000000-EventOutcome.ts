import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Dispatch's verdict on each event lives beside the log, not in it: the two
 * arrive through different consumers in either order, and an upsert keyed by
 * event id needs no ordering between them.
 */
export class EventOutcome1795400000000 implements MigrationInterface {
  name = 'EventOutcome1795400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "ingest"."event_outcome" (
        event_id uuid PRIMARY KEY,
        outcome text NOT NULL,
        attempts integer NOT NULL,
        message_ids uuid[] NOT NULL DEFAULT '{}',
        error jsonb,
        handler jsonb,
        processed_at timestamptz NOT NULL
      )`);
    await q.query(`ALTER TABLE "ingest"."webhook_event" DROP COLUMN status, DROP COLUMN dispatch_attempts`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE "ingest"."webhook_event" ADD COLUMN status text NOT NULL DEFAULT 'received', ADD COLUMN dispatch_attempts integer NOT NULL DEFAULT 0`,
    );
    await q.query(`DROP TABLE "ingest"."event_outcome"`);
  }
}
