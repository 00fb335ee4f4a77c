import type { DataSource } from 'typeorm';

export interface ActiveTokenRow {
  id: string;
  user_id: string;
  application_id: string | null;
  scopes: string[];
}

/** A token row `t` that still works: not revoked, not expired. */
export const ACTIVE = `t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())`;

/** The most hashes one statement looks up; more wait for the next turn. */
const MAX_BATCH = 500;

/**
 * Looks up the verifications that arrive together in one statement
 * (`hash = ANY($1)`): under load, token-service answers many callers with
 * one round trip to PostgreSQL instead of one each. Requests are gathered
 * until the current batch of NATS messages has been read (setImmediate), so
 * a lone request waits for nothing but its own query.
 */
export class TokenLookupBatcher {
  private pending = new Map<string, { hash: Buffer; waiters: { resolve: (row: ActiveTokenRow | undefined) => void; reject: (err: unknown) => void }[] }>();
  private scheduled = false;

  constructor(private readonly dataSource: DataSource) {}

  find(hash: Buffer): Promise<ActiveTokenRow | undefined> {
    return new Promise((resolve, reject) => {
      const key = hash.toString('hex');
      const entry = this.pending.get(key) ?? { hash, waiters: [] };
      entry.waiters.push({ resolve, reject });
      this.pending.set(key, entry);
      if (this.pending.size >= MAX_BATCH) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    if (!batch.size) return;
    this.pending = new Map();
    const hashes = [...batch.values()].map((e) => e.hash);
    this.dataSource
      .query(
        `SELECT t.id, t.user_id, t.application_id, t.scopes, encode(t.hash, 'hex') AS hash_hex FROM "token"."token" t
           JOIN "token"."user" u ON u.id = t.user_id
          WHERE t.hash = ANY($1::bytea[]) AND ${ACTIVE} AND u.active`,
        [hashes],
      )
      .then(
        (rows: (ActiveTokenRow & { hash_hex: string })[]) => {
          const found = new Map(rows.map(({ hash_hex, ...row }) => [hash_hex, row]));
          for (const [key, entry] of batch) for (const w of entry.waiters) w.resolve(found.get(key));
        },
        (err: unknown) => {
          for (const entry of batch.values()) for (const w of entry.waiters) w.reject(err);
        },
      );
  }
}
