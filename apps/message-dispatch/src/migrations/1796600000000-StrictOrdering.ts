import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `ordering: "strict"` subscriptions (FIFO): a delivery is sent only when every earlier one of its
 * subscription has succeeded or died. `seq` is the message's store order, kept on the delivery
 * so the head of a subscription is one index probe.
 */
export class StrictOrdering1796600000000 implements MigrationInterface {
  name = 'StrictOrdering1796600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE "dispatch"."subscription" ADD COLUMN ordering text NOT NULL DEFAULT 'best_effort' CHECK (ordering IN ('best_effort', 'strict'))`,
    );
    await q.query(`ALTER TABLE "dispatch"."delivery" ADD COLUMN seq bigint`);
    await q.query(`UPDATE "dispatch"."delivery" d SET seq = m.store_seq FROM "dispatch"."message" m WHERE m.id = d.message_id`);
    await q.query(`CREATE INDEX delivery_pending_seq_idx ON "dispatch"."delivery" (subscription_id, seq) WHERE status = 'pending'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "dispatch"."delivery_pending_seq_idx"`);
    await q.query(`ALTER TABLE "dispatch"."delivery" DROP COLUMN seq`);
    await q.query(`ALTER TABLE "dispatch"."subscription" DROP COLUMN ordering`);
  }
}
