import type { DataSource } from 'typeorm';

/**
 * One batch of a purge: deletes at most `limit` rows of `table` whose
 * `column` is older than the cutoff (and that meet `where`), taking them with
 * SKIP LOCKED so that replicas purging at once never wait on each other.
 * Identifiers come from code, never from a request.
 */
export async function deleteOlderThan(
  dataSource: DataSource,
  t: { table: string; key: string; column: string; where?: string },
  cutoff: Date,
  limit: number,
): Promise<number> {
  const [, count] = (await dataSource.query(
    `DELETE FROM ${t.table} WHERE ${t.key} IN (
       SELECT ${t.key} FROM ${t.table} WHERE ${t.column} < $1 ${t.where ? `AND ${t.where}` : ''} LIMIT $2 FOR UPDATE SKIP LOCKED)`,
    [cutoff, limit],
  )) as [unknown, number];
  return count;
}
