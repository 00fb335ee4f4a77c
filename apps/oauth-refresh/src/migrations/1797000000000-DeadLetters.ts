import { createDeadLetterTable } from '@zapgate/platform';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/** oauth-refresh's first consumer (user erasure) keeps its dead letters like every other service. */
export class DeadLetters1797000000000 implements MigrationInterface {
  name = 'DeadLetters1797000000000';

  async up(q: QueryRunner): Promise<void> {
    await createDeadLetterTable(q, 'oauth');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "oauth"."dead_letter"`);
  }
}
