import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Named operator keys with a role; ADMIN_API_KEY stays as the bootstrap key. Only the keyed hash is stored. */
export class OperatorKeys1796400000000 implements MigrationInterface {
  name = 'OperatorKeys1796400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "token"."operator_key" (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        role text NOT NULL CHECK (role IN ('read-only', 'operator', 'admin')),
        key_hash bytea NOT NULL UNIQUE,
        key_prefix text NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        last_used_at timestamptz
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "token"."operator_key"`);
  }
}
