import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Dead letters in the shape every service shares: which consumer gave up,
 * what kind of failure, and the payload as bytes (a poison payload need not
 * be text).
 */
export class DeadLettersPerConsumer1796000000000 implements MigrationInterface {
  name = 'DeadLettersPerConsumer1796000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "dispatch"."dead_letter"
      ADD COLUMN consumer text NOT NULL DEFAULT 'message-dispatch-webhooks',
      ADD COLUMN kind text NOT NULL DEFAULT 'poison',
      ALTER COLUMN payload TYPE bytea USING convert_to(payload, 'UTF8'),
      DROP CONSTRAINT dead_letter_subject_stream_seq_key,
      ADD CONSTRAINT dead_letter_consumer_stream_seq_key UNIQUE (consumer, stream_seq)`);
    await q.query(`ALTER TABLE "dispatch"."dead_letter" ALTER COLUMN consumer DROP DEFAULT, ALTER COLUMN kind DROP DEFAULT`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "dispatch"."dead_letter"
      DROP CONSTRAINT dead_letter_consumer_stream_seq_key,
      ADD CONSTRAINT dead_letter_subject_stream_seq_key UNIQUE (subject, stream_seq),
      ALTER COLUMN payload TYPE text USING convert_from(payload, 'UTF8'),
      DROP COLUMN kind,
      DROP COLUMN consumer`);
  }
}
