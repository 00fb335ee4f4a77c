import { rateWindowMigration } from '@zapgate/platform';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Rate windows shared by every dispatch replica: each subscription's rate_limit_per_second. */
export class SharedRateWindows1797400000000 implements MigrationInterface {
  name = 'SharedRateWindows1797400000000';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of rateWindowMigration('dispatch').up) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const sql of rateWindowMigration('dispatch').down) await q.query(sql);
  }
}
