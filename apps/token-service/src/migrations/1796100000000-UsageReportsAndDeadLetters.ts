import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Usage reports of the token verifiers, applied once each (a redelivered
 * report finds its id here), and the dead letters of token-service's consumer.
 */
export class UsageReportsAndDeadLetters1796100000000 implements MigrationInterface {
  name = 'UsageReportsAndDeadLetters1796100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "token"."usage_report" (
        id text PRIMARY KEY,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX usage_report_applied_idx ON "token"."usage_report" (applied_at)`);
    await q.query(`
      CREATE TABLE "token"."dead_letter" (
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
    await q.query(`DROP TABLE "token"."dead_letter"`);
    await q.query(`DROP TABLE "token"."usage_report"`);
  }
}
