import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The indexes the retention purge walks by age: finished deliveries, and messages. */
export class Retention1797100000000 implements MigrationInterface {
  name = 'Retention1797100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX delivery_completed_idx ON "dispatch"."delivery" (completed_at) WHERE status <> 'pending'`);
    await q.query(`CREATE INDEX message_stored_at_idx ON "dispatch"."message" (stored_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "dispatch"."message_stored_at_idx"`);
    await q.query(`DROP INDEX "dispatch"."delivery_completed_idx"`);
  }
}
