import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Membership (who may read and post where), bot senders, dead letters,
 * extension handler secrets, and outbound subscriptions with their deliveries
 * and attempts. Deliveries are written in the same transaction as the message,
 * so a stored message always has its deliveries queued.
 */
export class MembersHandlersAndDelivery1795400000000 implements MigrationInterface {
  name = 'MembersHandlersAndDelivery1795400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "dispatch"."channel" ADD COLUMN title text, ADD COLUMN owner_user_id uuid`);
    await q.query(`
      CREATE TABLE "dispatch"."member" (
        target_id uuid NOT NULL REFERENCES "dispatch"."channel"(id) ON DELETE CASCADE,
        member_kind text NOT NULL CHECK (member_kind IN ('user', 'bot')),
        member_id text NOT NULL,
        added_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (target_id, member_kind, member_id)
      )`);
    // Whoever already posted somewhere keeps access to it.
    await q.query(`
      INSERT INTO "dispatch"."member" (target_id, member_kind, member_id)
      SELECT DISTINCT channel_id, 'user', sender_user_id::text FROM "dispatch"."message" WHERE sender_user_id IS NOT NULL
      ON CONFLICT DO NOTHING`);
    await q.query(`CREATE INDEX member_by_member_idx ON "dispatch"."member" (member_kind, member_id)`);
    await q.query(`ALTER TABLE "dispatch"."message" ADD COLUMN sender_bot text, ADD COLUMN store_seq bigint GENERATED ALWAYS AS IDENTITY`);
    await q.query(`CREATE INDEX message_target_store_seq_idx ON "dispatch"."message" (channel_id, store_seq)`);
    await q.query(`
      CREATE TABLE "dispatch"."dead_letter" (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        subject text NOT NULL,
        stream_seq bigint NOT NULL,
        delivery_count integer NOT NULL,
        reason text NOT NULL,
        payload text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (subject, stream_seq)
      )`);
    await q.query(`
      CREATE TABLE "dispatch"."handler_secret" (
        app_id uuid PRIMARY KEY,
        secret_sealed text NOT NULL,
        previous jsonb NOT NULL DEFAULT '[]',
        rotated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE "dispatch"."subscription" (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        target_id uuid NOT NULL REFERENCES "dispatch"."channel"(id) ON DELETE CASCADE,
        owner_user_id uuid NOT NULL,
        kind text NOT NULL CHECK (kind IN ('standard-webhooks', 'slack', 'mattermost', 'cliq')),
        url text NOT NULL,
        description text,
        secret_sealed text,
        previous_secrets jsonb NOT NULL DEFAULT '[]',
        cliq_channel text,
        zapikey_sealed text,
        rate_limit_per_second integer,
        max_concurrency integer NOT NULL DEFAULT 4,
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
        disabled_reason text,
        disabled_at timestamptz,
        failing_since timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX subscription_target_idx ON "dispatch"."subscription" (target_id) WHERE status = 'active'`);
    await q.query(`
      CREATE TABLE "dispatch"."delivery" (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        subscription_id uuid NOT NULL REFERENCES "dispatch"."subscription"(id) ON DELETE CASCADE,
        message_id uuid NOT NULL REFERENCES "dispatch"."message"(id) ON DELETE CASCADE,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'dead')),
        attempts integer NOT NULL DEFAULT 0,
        parts_sent integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_status_code integer,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz,
        UNIQUE (subscription_id, message_id)
      )`);
    await q.query(`CREATE INDEX delivery_due_idx ON "dispatch"."delivery" (next_attempt_at) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX delivery_subscription_idx ON "dispatch"."delivery" (subscription_id, created_at DESC)`);
    await q.query(`CREATE INDEX delivery_dead_idx ON "dispatch"."delivery" (subscription_id, updated_at) WHERE status = 'dead'`);
    await q.query(`
      CREATE TABLE "dispatch"."delivery_attempt" (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        delivery_id uuid NOT NULL REFERENCES "dispatch"."delivery"(id) ON DELETE CASCADE,
        attempt integer NOT NULL,
        started_at timestamptz NOT NULL,
        duration_ms integer NOT NULL,
        status_code integer,
        error text,
        response_body text
      )`);
    await q.query(`CREATE INDEX delivery_attempt_delivery_idx ON "dispatch"."delivery_attempt" (delivery_id, attempt)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "dispatch"."delivery_attempt"`);
    await q.query(`DROP TABLE "dispatch"."delivery"`);
    await q.query(`DROP TABLE "dispatch"."subscription"`);
    await q.query(`DROP TABLE "dispatch"."handler_secret"`);
    await q.query(`DROP TABLE "dispatch"."dead_letter"`);
    await q.query(`ALTER TABLE "dispatch"."message" DROP COLUMN store_seq, DROP COLUMN sender_bot`);
    await q.query(`DROP TABLE "dispatch"."member"`);
    await q.query(`ALTER TABLE "dispatch"."channel" DROP COLUMN owner_user_id, DROP COLUMN title`);
  }
}
