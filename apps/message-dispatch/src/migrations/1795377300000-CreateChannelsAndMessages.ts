import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateChannelsAndMessages1795377300000 implements MigrationInterface {
  name = 'CreateChannelsAndMessages1795377300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "dispatch"."channel" (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        unique_name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX channel_unique_name_key ON "dispatch"."channel" (lower(unique_name))`);
    await q.query(`
      CREATE TABLE "dispatch"."message" (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        event_id uuid NOT NULL,
        channel_id uuid NOT NULL REFERENCES "dispatch"."channel"(id) ON DELETE CASCADE,
        sender_user_id uuid,
        text text,
        content jsonb NOT NULL,
        stream_seq bigint NOT NULL,
        received_at timestamptz NOT NULL,
        stored_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX message_event_id_key ON "dispatch"."message" (event_id)`);
    await q.query(`CREATE INDEX message_channel_order_idx ON "dispatch"."message" (channel_id, stream_seq DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "dispatch"."message"`);
    await q.query(`DROP TABLE "dispatch"."channel"`);
  }
}
