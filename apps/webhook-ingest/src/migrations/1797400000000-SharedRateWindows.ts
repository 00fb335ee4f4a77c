import { rateWindowMigration } from '@zapgate/platform';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Rate-limit windows shared by every ingest replica: the per-user limit and the per-IP flood guard. */
export class SharedRateWindows1797400000000 implements MigrationInterface {
  name = 'SharedRateWindows1797400000000';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of rateWindowMigration('ingest').up) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const sql of rateWindowMigration('ingest').down) await q.query(sql);
  }
}
