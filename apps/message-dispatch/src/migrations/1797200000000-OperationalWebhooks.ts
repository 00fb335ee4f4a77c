import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Operational webhooks: one internal `operations` target whose messages are
 * Zapgate's own events (delivery.exhausted, token.revoked…), and whose
 * subscriptions belong to operators, not users (no owner).
 */
export class OperationalWebhooks1797200000000 implements MigrationInterface {
  name = 'OperationalWebhooks1797200000000';

  async up(q: QueryRunner): Promise<void> {
    const checks = (await q.query(
      `SELECT conname FROM pg_constraint WHERE conrelid = '"dispatch"."channel"'::regclass AND contype = 'c' AND pg_get_constraintdef(oid) LIKE '%kind%'`,
    )) as { conname: string }[];
    for (const { conname } of checks) await q.query(`ALTER TABLE "dispatch"."channel" DROP CONSTRAINT "${conname}"`);
    await q.query(`ALTER TABLE "dispatch"."channel" ADD CONSTRAINT channel_kind_check CHECK (kind IN ('channel', 'bot', 'chat', 'user', 'operations'))`);
    await q.query(`ALTER TABLE "dispatch"."subscription" ALTER COLUMN owner_user_id DROP NOT NULL`);
    await q.query(`INSERT INTO "dispatch"."channel" (kind, unique_name) VALUES ('operations', 'operations') ON CONFLICT DO NOTHING`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM "dispatch"."channel" WHERE kind = 'operations'`);
    await q.query(`DELETE FROM "dispatch"."subscription" WHERE owner_user_id IS NULL`);
    await q.query(`ALTER TABLE "dispatch"."subscription" ALTER COLUMN owner_user_id SET NOT NULL`);
    await q.query(`ALTER TABLE "dispatch"."channel" DROP CONSTRAINT channel_kind_check`);
    await q.query(`ALTER TABLE "dispatch"."channel" ADD CONSTRAINT channel_kind_check CHECK (kind IN ('channel', 'bot', 'chat', 'user'))`);
  }
}
