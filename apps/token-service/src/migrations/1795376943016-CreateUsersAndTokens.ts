import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateUsersAndTokens1795376943016 implements MigrationInterface {
  name = 'CreateUsersAndTokens1795376943016';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "token"."user" (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email text NOT NULL,
        display_name text NOT NULL,
        password_hash text,
        confirmed boolean NOT NULL DEFAULT false,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        deactivated_at timestamptz,
        CONSTRAINT user_email_lower CHECK (email = lower(email))
      )`);
    await q.query(`CREATE UNIQUE INDEX user_email_key ON "token"."user" (email)`);
    await q.query(`
      CREATE TABLE "token"."token" (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind text NOT NULL CHECK (kind IN ('zapikey', 'authtoken')),
        user_id uuid NOT NULL REFERENCES "token"."user"(id) ON DELETE CASCADE,
        application_id uuid,
        name text NOT NULL,
        scopes text[] NOT NULL DEFAULT '{}',
        hash bytea NOT NULL,
        prefix text NOT NULL,
        last4 text NOT NULL,
        expires_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        last_used_ip text,
        revoked_at timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX token_hash_key ON "token"."token" (hash)`);
    await q.query(`CREATE INDEX token_user_idx ON "token"."token" (user_id) WHERE revoked_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "token"."token"`);
    await q.query(`DROP TABLE "token"."user"`);
  }
}
