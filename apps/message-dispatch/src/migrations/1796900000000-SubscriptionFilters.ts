import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Which messages a subscription takes: by source, by the sender's event type
 * (lower case), and by a JSON document the payload must contain. NULL: all.
 */
export class SubscriptionFilters1796900000000 implements MigrationInterface {
  name = 'SubscriptionFilters1796900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE "dispatch"."subscription" ADD COLUMN filter_sources text[], ADD COLUMN filter_event_types text[], ADD COLUMN filter_payload jsonb`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "dispatch"."subscription" DROP COLUMN filter_sources, DROP COLUMN filter_event_types, DROP COLUMN filter_payload`);
  }
}
