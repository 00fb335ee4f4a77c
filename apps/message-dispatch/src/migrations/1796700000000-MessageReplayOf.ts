import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Which event a replayed message came from: a replay that yields the same message stores nothing new. */
export class MessageReplayOf1796700000000 implements MigrationInterface {
  name = 'MessageReplayOf1796700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "dispatch"."message" ADD COLUMN replay_of uuid`);
    await q.query(`CREATE INDEX message_replay_of_idx ON "dispatch"."message" (replay_of) WHERE replay_of IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "dispatch"."message" DROP COLUMN replay_of`);
  }
}
