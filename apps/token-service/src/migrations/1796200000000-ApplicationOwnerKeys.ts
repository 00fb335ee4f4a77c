import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The owner key, apart from the appkey that every user of an extension sees in
 * its webhook URL. Existing applications get none: only an operator manages
 * them until one is issued (POST /api/v1/admin/applications/{id}/owner-key/rotate).
 */
export class ApplicationOwnerKeys1796200000000 implements MigrationInterface {
  name = 'ApplicationOwnerKeys1796200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "token"."application" ADD COLUMN owner_key_hash bytea, ADD COLUMN owner_key_prefix text`);
    await q.query(`CREATE UNIQUE INDEX application_owner_key_hash_key ON "token"."application" (owner_key_hash) WHERE owner_key_hash IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "token"."application_owner_key_hash_key"`);
    await q.query(`ALTER TABLE "token"."application" DROP COLUMN owner_key_prefix, DROP COLUMN owner_key_hash`);
  }
}
