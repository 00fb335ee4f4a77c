import { deadLetterRetryColumns } from '@zapgate/platform';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Dead letters an operator can retry: outcome, count, last failure and a lease. */
export class DeadLetterRetry1796800000000 implements MigrationInterface {
  name = 'DeadLetterRetry1796800000000';

  async up(q: QueryRunner): Promise<void> {
    await deadLetterRetryColumns.up(q, 'ingest');
  }

  async down(q: QueryRunner): Promise<void> {
    await deadLetterRetryColumns.down(q, 'ingest');
  }
}
