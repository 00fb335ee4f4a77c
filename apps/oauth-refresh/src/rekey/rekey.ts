import type { SecretBox } from '@zapgate/platform';
import { SEALED_FIELDS } from '../sealed-fields';

export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<{ rows: Record<string, string>[] } | Record<string, string>[]>;
}

const rowsOf = (r: { rows: Record<string, string>[] } | Record<string, string>[]) => (Array.isArray(r) ? r : r.rows);

/**
 * Re-seals every secret under the box's current key (the first of
 * ENCRYPTION_KEYS). Rows are updated one by one with a compare on the old
 * value, so it is safe while the service runs and can be run again after an
 * interruption. Returns how many values were re-sealed per column.
 */
export async function rekeyAll(db: Queryable, box: SecretBox, batch = 500): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const current = `v1.${box.currentKeyId}.`;
  for (const { table, column, aad } of Object.values(SEALED_FIELDS)) {
    let done = 0;
    for (;;) {
      const rows = rowsOf(
        await db.query(`SELECT id, ${column} AS sealed FROM "oauth"."${table}" WHERE ${column} IS NOT NULL AND left(${column}, $1) <> $2 LIMIT $3`, [
          current.length,
          current,
          batch,
        ]),
      );
      if (!rows.length) break;
      for (const row of rows) {
        const resealed = box.seal(box.open(row.sealed, aad(row.id)), aad(row.id));
        await db.query(`UPDATE "oauth"."${table}" SET ${column} = $3 WHERE id = $1 AND ${column} = $2`, [row.id, row.sealed, resealed]);
        done++;
      }
    }
    counts[`${table}.${column}`] = done;
  }
  return counts;
}
