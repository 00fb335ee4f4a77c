import type { DataSource } from 'typeorm';
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
}

export interface DeadLetterFilter {
  consumer?: string;
  kind?: DeadLetterKind;
}

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
      [letter.consumer, letter.subject, letter.streamSequence, letter.deliveryCount, letter.kind, letter.reason.replaceAll('\u0000', '\ufffd').toWellFormed(), Buffer.from(letter.data)],
    );
  }

  /** Newest first; the cursor is the id of the last row seen. */
  async list(filter: DeadLetterFilter, limit: number, before?: string): Promise<{ rows: DeadLetterRow[]; next: string | null }> {
    const rows = (await this.dataSource.query(
      `SELECT * FROM ${this.table}
       WHERE ($1::text IS NULL OR consumer = $1) AND ($2::text IS NULL OR kind = $2) AND ($3::bigint IS NULL OR id < $3)
       ORDER BY id DESC LIMIT $4`,
      [filter.consumer ?? null, filter.kind ?? null, before ?? null, limit + 1],
    )) as DeadLetterRow[];
    const page = rows.slice(0, limit);
    return { rows: page, next: rows.length > limit ? page[page.length - 1].id : null };
  }

  async get(id: string): Promise<DeadLetterRow | undefined> {
    const [row] = (await this.dataSource.query(`SELECT * FROM ${this.table} WHERE id = $1`, [id])) as DeadLetterRow[];
    return row;
  }

  async count(filter: DeadLetterFilter = {}): Promise<number> {
    const [row] = (await this.dataSource.query(`SELECT count(*)::int AS n FROM ${this.table} WHERE ($1::text IS NULL OR consumer = $1) AND ($2::text IS NULL OR kind = $2)`, [
      filter.consumer ?? null,
      filter.kind ?? null,
    ])) as { n: number }[];
    return row.n;
  }
}
