import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Events ingest's consumers (event log, outcomes) gave up on, with the raw payload and why. */
export class DeadLetters1796000000000 implements MigrationInterface {
  name = 'DeadLetters1796000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "ingest"."dead_letter" (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        consumer text NOT NULL,
        subject text NOT NULL,
        stream_seq bigint NOT NULL,
        delivery_count integer NOT NULL,
        kind text NOT NULL,
        reason text NOT NULL,
        payload bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (consumer, stream_seq)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "ingest"."dead_letter"`);
  }
}
