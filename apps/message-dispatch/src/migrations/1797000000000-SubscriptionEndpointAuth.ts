import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A subscription's own request headers and endpoint auth (basic or bearer),
 * sealed together; the header names and the auth type stay readable so the
 * API can say what is set without opening the seal.
 */
export class SubscriptionEndpointAuth1797000000000 implements MigrationInterface {
  name = 'SubscriptionEndpointAuth1797000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "dispatch"."subscription"
      ADD COLUMN endpoint_sealed text,
      ADD COLUMN header_names text[] NOT NULL DEFAULT '{}',
      ADD COLUMN auth_type text CHECK (auth_type IN ('basic', 'bearer'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "dispatch"."subscription" DROP COLUMN endpoint_sealed, DROP COLUMN header_names, DROP COLUMN auth_type`);
  }
}
