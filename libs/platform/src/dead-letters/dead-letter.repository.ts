import type { DataSource } from 'typeorm';
import { storableText } from '../json/json-safety';
import type { DeadLetter, DeadLetterKind } from '../nats/event-consumer.service';

export interface DeadLetterRow {
  id: string;
  consumer: string;
  subject: string;
  stream_seq: string;
  delivery_count: number;
  kind: DeadLetterKind;
  reason: string;
  payload: Buffer;
  created_at: Date;
  status: DeadLetterStatus;
  retry_count: number;
  retried_at: Date | null;
  last_error: string | null;
}

/** `dead` until an operator's retry gets it handled; then `retried`. */
export type DeadLetterStatus = 'dead' | 'retried';

export interface DeadLetterFilter {
  consumer?: string;
  kind?: DeadLetterKind;
  status?: DeadLetterStatus;
}

/** Long enough for a handler's slowest call; a crashed retry frees the letter after it. */
const RETRY_LEASE_SECONDS = 120;

/**
 * A service's dead letters: events its consumers gave up on, with the raw
 * payload as it sat in the stream (bytes: a poison payload may not even be
 * text) and why. Every service keeps them in `<schema>.dead_letter`.
 */
export class DeadLetterRepository {
  private readonly table: string;

  constructor(
    private readonly dataSource: DataSource,
    schema: string,
  ) {
    this.table = `"${schema}"."dead_letter"`;
  }

  /** Idempotent per consumer and stream position: a redelivered poison event is recorded once. */
  async record(letter: DeadLetter): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO ${this.table} (consumer, subject, stream_seq, delivery_count, kind, reason, payload) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (consumer, stream_seq) DO NOTHING`,
      [letter.consumer, letter.subject, letter.streamSequence, letter.deliveryCount, letter.kind, storableText(letter.reason), Buffer.from(letter.data)],
    );
  }

  /** Newest first; the cursor is the id of the last row seen. */
  async list(filter: DeadLetterFilter, limit: number, before?: string): Promise<{ rows: DeadLetterRow[]; next: string | null }> {
    const rows = (await this.dataSource.query(
      `SELECT * FROM ${this.table}
       WHERE ($1::text IS NULL OR consumer = $1) AND ($2::text IS NULL OR kind = $2) AND ($3::text IS NULL OR status = $3) AND ($4::bigint IS NULL OR id < $4)
       ORDER BY id DESC LIMIT $5`,
      [filter.consumer ?? null, filter.kind ?? null, filter.status ?? null, before ?? null, limit + 1],
    )) as DeadLetterRow[];
    const page = rows.slice(0, limit);
    return { rows: page, next: rows.length > limit ? page[page.length - 1].id : null };
  }

  async get(id: string): Promise<DeadLetterRow | undefined> {
    const [row] = (await this.dataSource.query(`SELECT * FROM ${this.table} WHERE id = $1`, [id])) as DeadLetterRow[];
    return row;
  }

  /**
   * Takes one open letter for a retry (a lease, not a transaction: the
   * handler may take seconds). Undefined when it is not open or another
   * retry holds it.
   */
  async claim(id: string): Promise<DeadLetterRow | undefined> {
    const rows = (await this.dataSource.query(
      `UPDATE ${this.table} SET lease_until = now() + make_interval(secs => $2)
       WHERE id = $1 AND status = 'dead' AND (lease_until IS NULL OR lease_until < now()) RETURNING *`,
      [id, RETRY_LEASE_SECONDS],
    )) as [DeadLetterRow[], number];
    return rows[0][0];
  }

  /** The open letters a bulk retry takes, oldest first (stream order within a consumer). */
  async openIds(filter: Omit<DeadLetterFilter, 'status'> & { since?: Date }, limit: number): Promise<string[]> {
    const rows = (await this.dataSource.query(
      `SELECT id FROM ${this.table}
       WHERE status = 'dead' AND ($1::text IS NULL OR consumer = $1) AND ($2::text IS NULL OR kind = $2) AND ($3::timestamptz IS NULL OR created_at >= $3)
       ORDER BY id LIMIT $4`,
      [filter.consumer ?? null, filter.kind ?? null, filter.since ?? null, limit],
    )) as { id: string }[];
    return rows.map((r) => String(r.id));
  }

  /** Ends a claimed retry: handled (`retried`), or still dead with the reason. Frees the lease either way. */
  async settleRetry(id: string, result: { ok: true } | { ok: false; reason: string }): Promise<DeadLetterRow> {
    const rows = (await this.dataSource.query(
      `UPDATE ${this.table} SET lease_until = NULL, retry_count = retry_count + 1,
         status = CASE WHEN $2 THEN 'retried' ELSE 'dead' END, retried_at = CASE WHEN $2 THEN now() ELSE retried_at END, last_error = $3
       WHERE id = $1 RETURNING *`,
      [id, result.ok, result.ok ? null : storableText(result.reason)],
    )) as [DeadLetterRow[], number];
    return rows[0][0];
  }

  /** Frees a claimed letter untouched (the retry could not run: a dependency was down). */
  async release(id: string): Promise<void> {
    await this.dataSource.query(`UPDATE ${this.table} SET lease_until = NULL WHERE id = $1`, [id]);
  }

  async count(filter: DeadLetterFilter = {}): Promise<number> {
    const [row] = (await this.dataSource.query(
      `SELECT count(*)::int AS n FROM ${this.table} WHERE ($1::text IS NULL OR consumer = $1) AND ($2::text IS NULL OR kind = $2)`,
      [filter.consumer ?? null, filter.kind ?? null],
    )) as { n: number }[];
    return row.n;
  }
}
