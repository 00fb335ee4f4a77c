import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { WebhookReceivedV1 } from '@zapgate/contracts';
import { APP_CONFIG, isRejectedValue } from '@zapgate/platform';
import { DataSource } from 'typeorm';
import type { IngestConfig } from '../ingest-config.schema';

export interface LoggedEvent {
  event: WebhookReceivedV1;
  streamSeq: number;
}

interface Pending {
  item: LoggedEvent;
  resolve: (inserted: boolean) => void;
  reject: (err: unknown) => void;
}

const MAX_BATCH = 500;
const MAX_WAIT_MS = 5;
const COLUMNS = 13;

/**
 * Group commit for the event log: rows from concurrent handlers are written
 * together in one multi-row INSERT per transaction (one fsync for up to 500
 * events instead of one each). Each handler's promise settles when its batch
 * commits, so a message is acked only once its row is durable.
 */
@Injectable()
export class EventLogWriter {
  private queue: Pending[] = [];
  private timer?: NodeJS.Timeout;
  private flushing = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: IngestConfig,
  ) {}

  /** Resolves true when the row was inserted, false when the event was already logged. */
  write(item: LoggedEvent): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.queue.length >= MAX_BATCH) void this.flush();
      else this.timer ??= setTimeout(() => void this.flush(), MAX_WAIT_MS);
    });
  }

  private async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.flushing || this.queue.length === 0) return;
    this.flushing = true;
    const batch = this.queue.splice(0, MAX_BATCH);
    try {
      await this.commit(batch);
    } finally {
      this.flushing = false;
      if (this.queue.length) void this.flush();
    }
  }

  /**
   * One transaction for the group. A value the store refuses fails the whole
   * statement, so a refused group is split in halves until the refusal is
   * pinned to its own event: only that one fails (and is dead-lettered), the
   * rest commit.
   */
  private async commit(group: Pending[]): Promise<void> {
    try {
      const inserted = await this.dataSource.transaction((tx) =>
        this.insert(
          tx,
          group.map((p) => p.item),
        ),
      );
      for (const p of group) p.resolve(inserted.has(p.item.event.eventId));
    } catch (err) {
      if (!isRejectedValue(err) || group.length === 1) {
        for (const p of group) p.reject(err);
        return;
      }
      const half = Math.ceil(group.length / 2);
      await this.commit(group.slice(0, half));
      await this.commit(group.slice(half));
    }
  }

  private async insert(tx: { query: (sql: string, params: unknown[]) => Promise<unknown> }, items: LoggedEvent[]): Promise<Set<string>> {
    const params: unknown[] = [];
    const rows = items.map(({ event: e, streamSeq }, i) => {
      params.push(
        e.eventId,
        e.appId ?? null,
        e.userId,
        e.tokenId,
        e.source,
        JSON.stringify(e.target),
        e.request ? JSON.stringify(e.request) : null,
        e.message ? JSON.stringify(e.message) : null,
        e.sender ? JSON.stringify(e.sender) : null,
        e.dedupKey ?? null,
        e.replayOf ?? null,
        streamSeq,
        e.receivedAt,
      );
      return `(${Array.from({ length: COLUMNS }, (_, c) => `$${i * COLUMNS + c + 1}`).join(', ')})`;
    });
    const inserted = (await tx.query(
      `INSERT INTO "ingest"."webhook_event"
         (event_id, app_id, user_id, token_id, source, target, request, message, sender, dedup_key, replay_of, stream_seq, received_at)
       VALUES ${rows.join(', ')}
       ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
      params,
    )) as { event_id: string }[];

    // One row per key (the earliest), or the upsert would touch a row twice.
    const keys = new Map<string, LoggedEvent['event']>();
    for (const { event } of items) if (event.dedupKey && !keys.has(event.dedupKey)) keys.set(event.dedupKey, event);
    if (keys.size) {
      const k = [...keys.values()];
      await tx.query(
        `INSERT INTO "ingest"."dedup_key" AS d (key, event_id, first_seen_at)
         SELECT * FROM unnest($1::text[], $2::uuid[], $3::timestamptz[])
         ON CONFLICT (key) DO UPDATE SET event_id = EXCLUDED.event_id, first_seen_at = EXCLUDED.first_seen_at
         WHERE d.first_seen_at < now() - make_interval(hours => $4)`,
        [k.map((e) => e.dedupKey), k.map((e) => e.eventId), k.map((e) => e.receivedAt), this.config.DEDUP_WINDOW_HOURS],
      );
    }
    return new Set(inserted.map((r) => r.event_id));
  }
}
