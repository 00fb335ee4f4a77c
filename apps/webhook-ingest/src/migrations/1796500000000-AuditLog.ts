import { auditTableSql } from '@zapgate/platform';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The audit log of webhook-ingest's lifecycle actions (who, what, when, from where; never a secret). */
export class AuditLog1796500000000 implements MigrationInterface {
  name = 'AuditLog1796500000000';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of auditTableSql('ingest')) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "ingest"."audit_event"`);
  }
}
