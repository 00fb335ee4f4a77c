import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The event log (for inspection and replay), idempotency keys, and per-sender signature settings. */
export class CreateEventLog1795380000000 implements MigrationInterface {
  name = 'CreateEventLog1795380000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "ingest"."webhook_event" (
        event_id uuid PRIMARY KEY,
        app_id uuid,
        user_id uuid NOT NULL,
        token_id uuid NOT NULL,
        source text NOT NULL,
        target jsonb NOT NULL,
        request jsonb,
        message jsonb,
        sender jsonb,
        dedup_key text,
        replay_of uuid,
        stream_seq bigint NOT NULL,
        received_at timestamptz NOT NULL,
        logged_at timestamptz NOT NULL DEFAULT now(),
        status text NOT NULL DEFAULT 'received',
        dispatch_attempts integer NOT NULL DEFAULT 0
      )`);
    await q.query(`CREATE INDEX webhook_event_received_idx ON "ingest"."webhook_event" (received_at DESC, event_id DESC)`);
    await q.query(`CREATE INDEX webhook_event_app_received_idx ON "ingest"."webhook_event" (app_id, received_at DESC)`);
    await q.query(`
      CREATE TABLE "ingest"."dedup_key" (
        key text PRIMARY KEY,
        event_id uuid NOT NULL,
        first_seen_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE "ingest"."sender_verification" (
        subject_kind text NOT NULL CHECK (subject_kind IN ('application', 'bot')),
        subject_id text NOT NULL,
        scheme text NOT NULL CHECK (scheme IN ('github', 'gitlab', 'standard-webhooks')),
        secrets_sealed text[] NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (subject_kind, subject_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "ingest"."sender_verification"`);
    await q.query(`DROP TABLE "ingest"."dedup_key"`);
    await q.query(`DROP TABLE "ingest"."webhook_event"`);
  }
}
