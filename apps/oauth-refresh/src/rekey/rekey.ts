import type { SecretBox } from '@zapgate/platform';

/** Every sealed column of the oauth schema, and the associated data it was sealed with. */
const SEALED_COLUMNS = [
  { table: 'connector', column: 'client_secret_sealed', aad: (id: string) => id },
  { table: 'connection', column: 'access_token_sealed', aad: (id: string) => `${id}:access` },
  { table: 'connection', column: 'refresh_token_sealed', aad: (id: string) => `${id}:refresh` },
  { table: 'auth_state', column: 'code_verifier_sealed', aad: (id: string) => id },
] as const;

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
  for (const { table, column, aad } of SEALED_COLUMNS) {
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
