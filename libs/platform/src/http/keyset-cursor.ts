import { z } from 'zod';

/** Where a newest-first page stopped: the (created_at, id) of its last row. */
export interface KeysetPosition {
  at: string;
  id: string;
}

/** As PostgreSQL writes uuids: a cursor we issued never has upper case. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Opaque to clients: they hand back the `next_cursor` they got. */
export function encodeCursor(position: KeysetPosition | undefined): string | null {
  return position ? Buffer.from(`${position.at}|${position.id}`).toString('base64url') : null;
}

/** `?cursor=` as a position; anything that is not a cursor we issued is a 400 on that field. */
export const KeysetCursorSchema = z
  .string()
  .max(200)
  .transform((value, ctx): KeysetPosition => {
    const [at, id, extra] = Buffer.from(value, 'base64url').toString('utf8').split('|');
    if (extra !== undefined || !at || !id || !UUID.test(id) || Number.isNaN(Date.parse(at))) {
      ctx.addIssue({ code: 'custom', message: 'must be a next_cursor from a previous page' });
      return z.NEVER;
    }
    return { at, id };
  });

/** `?limit=`: 1–200, 50 unless asked. */
export const PageLimitSchema = z.coerce.number().int().min(1).max(200).default(50);

/** Splits a fetched `limit + 1` rows into the page and the cursor of the next one. */
export function pageOf<T extends { createdAt: Date; id: string }>(rows: T[], limit: number): { rows: T[]; next: KeysetPosition | undefined } {
  if (rows.length <= limit) return { rows, next: undefined };
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { rows: page, next: { at: last.createdAt.toISOString(), id: last.id } };
}
