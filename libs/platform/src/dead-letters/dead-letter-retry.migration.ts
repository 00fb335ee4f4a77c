import type { QueryRunner } from 'typeorm';

/** A service's dead-letter table in its current shape, for a service that gets one now. */
export async function createDeadLetterTable(q: QueryRunner, schema: string): Promise<void> {
  await q.query(`
    CREATE TABLE "${schema}"."dead_letter" (
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
  await deadLetterRetryColumns.up(q, schema);
}

/**
 * The columns an operator's retry needs on a service's `dead_letter` table,
 * the same in every service: whether the letter was retried with success,
 * how often it was tried again, the last failure, and a short lease so that
 * two operators (or two replicas) never run one letter at the same time.
 */
export const deadLetterRetryColumns = {
  async up(q: QueryRunner, schema: string): Promise<void> {
    await q.query(`ALTER TABLE "${schema}"."dead_letter"
      ADD COLUMN status text NOT NULL DEFAULT 'dead' CHECK (status IN ('dead', 'retried')),
      ADD COLUMN retry_count int NOT NULL DEFAULT 0,
      ADD COLUMN retried_at timestamptz,
      ADD COLUMN last_error text,
      ADD COLUMN lease_until timestamptz`);
    // Bulk retries walk the open letters oldest first.
    await q.query(`CREATE INDEX dead_letter_open_idx ON "${schema}"."dead_letter" (id) WHERE status = 'dead'`);
  },
  async down(q: QueryRunner, schema: string): Promise<void> {
    await q.query(`DROP INDEX "${schema}"."dead_letter_open_idx"`);
    await q.query(
      `ALTER TABLE "${schema}"."dead_letter" DROP COLUMN status, DROP COLUMN retry_count, DROP COLUMN retried_at, DROP COLUMN last_error, DROP COLUMN lease_until`,
    );
  },
};
