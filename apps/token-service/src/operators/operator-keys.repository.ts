import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { OperatorRole } from '@zapgate/contracts';
import { DataSource } from 'typeorm';

export interface OperatorKeyRow {
  id: string;
  name: string;
  role: OperatorRole;
  key_prefix: string;
  created_by: string;
  created_at: Date;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

const COLUMNS = `id, name, role, key_prefix, created_by, created_at, revoked_at, last_used_at`;

@Injectable()
export class OperatorKeysRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(row: { name: string; role: OperatorRole; keyHash: Buffer; keyPrefix: string; createdBy: string }): Promise<OperatorKeyRow> {
    const [created] = (await this.dataSource.query(
      `INSERT INTO "token"."operator_key" (name, role, key_hash, key_prefix, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
      [row.name, row.role, row.keyHash, row.keyPrefix, row.createdBy],
    )) as OperatorKeyRow[];
    return created;
  }

  list(includeRevoked: boolean): Promise<OperatorKeyRow[]> {
    return this.dataSource.query(`SELECT ${COLUMNS} FROM "token"."operator_key" WHERE $1 OR revoked_at IS NULL ORDER BY created_at DESC, id DESC LIMIT 1000`, [
      includeRevoked,
    ]);
  }

  /** The live key with this hash; its last use is written at most once a minute, so a check is rarely a write. */
  async findActive(keyHash: Buffer): Promise<OperatorKeyRow | undefined> {
    const [row] = (await this.dataSource.query(`SELECT ${COLUMNS} FROM "token"."operator_key" WHERE key_hash = $1 AND revoked_at IS NULL`, [
      keyHash,
    ])) as OperatorKeyRow[];
    if (row && (!row.last_used_at || Date.now() - row.last_used_at.getTime() > 60_000)) {
      await this.dataSource.query(`UPDATE "token"."operator_key" SET last_used_at = now() WHERE id = $1`, [row.id]);
    }
    return row;
  }

  /** Revokes a live key; undefined if there is none with this id (or it was revoked already). */
  async revoke(id: string): Promise<OperatorKeyRow | undefined> {
    const [rows] = (await this.dataSource.query(
      `UPDATE "token"."operator_key" SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING ${COLUMNS}`,
      [id],
    )) as [OperatorKeyRow[], number];
    return rows[0];
  }

  async exists(id: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(`SELECT 1 FROM "token"."operator_key" WHERE id = $1`, [id]);
    return rows.length > 0;
  }
}
