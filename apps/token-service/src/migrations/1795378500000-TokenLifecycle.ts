import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Applications (extensions), rotation chains, hourly usage, sessions and sign-in throttling. */
export class TokenLifecycle1795378500000 implements MigrationInterface {
  name = 'TokenLifecycle1795378500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "token"."application" (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        owner_email text NOT NULL,
        appkey_hash bytea NOT NULL,
        appkey_prefix text NOT NULL,
        handler_urls jsonb NOT NULL DEFAULT '{}',
        allowed_scopes text[] NOT NULL DEFAULT '{}',
        max_tokens_per_user integer NOT NULL DEFAULT 5 CHECK (max_tokens_per_user BETWEEN 1 AND 1000),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX application_appkey_hash_key ON "token"."application" (appkey_hash)`);
    await q.query(`
      ALTER TABLE "token"."token"
        ADD CONSTRAINT token_application_fk FOREIGN KEY (application_id) REFERENCES "token"."application"(id) ON DELETE CASCADE,
        ADD COLUMN previous_token_id uuid REFERENCES "token"."token"(id) ON DELETE SET NULL,
        ADD COLUMN revoked_reason text`);
    await q.query(`CREATE INDEX token_user_app_active_idx ON "token"."token" (user_id, kind, application_id) WHERE revoked_at IS NULL`);
    await q.query(`
      CREATE TABLE "token"."usage_hourly" (
        token_id uuid NOT NULL REFERENCES "token"."token"(id) ON DELETE CASCADE,
        hour timestamptz NOT NULL,
        count bigint NOT NULL CHECK (count >= 0),
        PRIMARY KEY (token_id, hour)
      )`);
    await q.query(`CREATE INDEX usage_hourly_hour_idx ON "token"."usage_hourly" (hour)`);
    await q.query(`
      CREATE TABLE "token"."session" (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES "token"."user"(id) ON DELETE CASCADE,
        hash bytea NOT NULL,
        ip text,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX session_hash_key ON "token"."session" (hash)`);
    await q.query(`
      CREATE TABLE "token"."signin_throttle" (
        key text PRIMARY KEY,
        failures integer NOT NULL,
        window_started_at timestamptz NOT NULL,
        locked_until timestamptz
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "token"."signin_throttle"`);
    await q.query(`DROP TABLE "token"."session"`);
    await q.query(`DROP TABLE "token"."usage_hourly"`);
    await q.query(`DROP INDEX "token"."token_user_app_active_idx"`);
    await q.query(`ALTER TABLE "token"."token" DROP COLUMN revoked_reason, DROP COLUMN previous_token_id, DROP CONSTRAINT token_application_fk`);
    await q.query(`DROP TABLE "token"."application"`);
  }
}
