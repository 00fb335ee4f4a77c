import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A subscription may take the messages of several targets: every target it
 * takes is a row here (its first one also stays in subscription.target_id,
 * which decides who manages it). Deliveries are queued by this table.
 */
export class SubscriptionTargets1797300000000 implements MigrationInterface {
  name = 'SubscriptionTargets1797300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "dispatch"."subscription_target" (
        subscription_id uuid NOT NULL REFERENCES "dispatch"."subscription"(id) ON DELETE CASCADE,
        target_id uuid NOT NULL REFERENCES "dispatch"."channel"(id) ON DELETE CASCADE,
        position smallint NOT NULL,
        PRIMARY KEY (subscription_id, target_id)
      )`);
    await q.query(`CREATE INDEX subscription_target_target_idx ON "dispatch"."subscription_target" (target_id)`);
    await q.query(`INSERT INTO "dispatch"."subscription_target" (subscription_id, target_id, position) SELECT id, target_id, 0 FROM "dispatch"."subscription"`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "dispatch"."subscription_target"`);
  }
}
