import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Channels become targets of any kind (channel, bot, chat, user), each unique by kind and name. */
export class GeneraliseTargets1795380600000 implements MigrationInterface {
  name = 'GeneraliseTargets1795380600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "dispatch"."channel" ADD COLUMN kind text NOT NULL DEFAULT 'channel' CHECK (kind IN ('channel', 'bot', 'chat', 'user'))`);
    await q.query(`DROP INDEX "dispatch"."channel_unique_name_key"`);
    await q.query(`CREATE UNIQUE INDEX target_kind_name_key ON "dispatch"."channel" (kind, lower(unique_name))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "dispatch"."target_kind_name_key"`);
    await q.query(`DELETE FROM "dispatch"."channel" WHERE kind <> 'channel'`);
    await q.query(`CREATE UNIQUE INDEX channel_unique_name_key ON "dispatch"."channel" (lower(unique_name))`);
    await q.query(`ALTER TABLE "dispatch"."channel" DROP COLUMN kind`);
  }
}
