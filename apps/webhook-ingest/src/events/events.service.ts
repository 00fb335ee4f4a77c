import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Subjects, type WebhookReceivedV1 } from '@zapgate/contracts';
import { JetStreamService } from '@zapgate/platform';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { OwnerAccess } from '@zapgate/token-client';
import { IngestErrorCodes, IngestException } from '../ingest/ingest.exception';

export interface EventRow {
  event_id: string;
  app_id: string | null;
  user_id: string;
  token_id: string;
  source: WebhookReceivedV1['source'];
  target: WebhookReceivedV1['target'];
  request: WebhookReceivedV1['request'] | null;
  message: Record<string, unknown> | null;
  sender: WebhookReceivedV1['sender'] | null;
  dedup_key: string | null;
  replay_of: string | null;
  stream_seq: string;
  received_at: Date;
  status: string;
  dispatch_attempts: number;
  message_ids: string[];
  error: { code: string; message: string } | null;
  handler: { status?: number; durationMs: number } | null;
  processed_at: Date | null;
  body_purged_at: Date | null;
}

/** The log joined with dispatch's verdict; an event dispatch has not reported on is still 'received'. */
const EVENT_SELECT = `SELECT e.*, coalesce(o.outcome, 'received') AS status, coalesce(o.attempts, 0) AS dispatch_attempts,
    coalesce(o.message_ids, '{}') AS message_ids, o.error, o.handler, o.processed_at
  FROM "ingest"."webhook_event" e LEFT JOIN "ingest"."event_outcome" o USING (event_id)`;

export interface EventFilter {
  appId?: string;
  status?: string;
  source?: string;
  from?: Date;
  to?: Date;
}

const MAX_REPLAY = 10_000;

@Injectable()
export class EventsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly jetstream: JetStreamService,
  ) {}

  /** Newest first; the cursor is the (received_at, event_id) of the last row seen. */
  async list(access: OwnerAccess, filter: EventFilter, limit: number, cursor?: { at: string; id: string }) {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    const appId = access.role === 'application' ? access.appId : filter.appId;
    if (appId) add('e.app_id = ?', appId);
    if (filter.status) add(`coalesce(o.outcome, 'received') = ?`, filter.status);
    if (filter.source) add('e.source = ?', filter.source);
    if (filter.from) add('e.received_at >= ?', filter.from);
    if (filter.to) add('e.received_at < ?', filter.to);
    if (cursor) {
      params.push(cursor.at, cursor.id);
      where.push(`(e.received_at, event_id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(limit + 1);
    const rows = (await this.dataSource.query(
      `${EVENT_SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY e.received_at DESC, event_id DESC LIMIT $${params.length}`,
      params,
    )) as EventRow[];
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { rows: page, next: rows.length > limit && last ? { at: last.received_at.toISOString(), id: last.event_id } : null };
  }

  async get(access: OwnerAccess, eventId: string): Promise<EventRow> {
    const [row] = (await this.dataSource.query(`${EVENT_SELECT} WHERE event_id = $1`, [eventId])) as EventRow[];
    if (!row || (access.role === 'application' && row.app_id !== access.appId)) {
      throw new IngestException(IngestErrorCodes.EventNotFound, 'No such event.');
    }
    return row;
  }

  /** Publishes the event again under a new id (so consumers' dedup lets it through), pointing at the original. */
  async replay(row: EventRow, correlationId?: string): Promise<string> {
    if (row.body_purged_at) {
      throw new IngestException(
        IngestErrorCodes.BodyPurged,
        `The raw body of this event was purged at ${row.body_purged_at.toISOString()} (RAW_BODY_RETENTION_DAYS); it cannot be replayed.`,
      );
    }
    const eventId = randomUUID();
    await this.jetstream.publish(
      Subjects.WebhookReceived,
      {
        eventId,
        receivedAt: new Date().toISOString(),
        source: row.source,
        userId: row.user_id,
        tokenId: row.token_id,
        target: row.target,
        ...(row.app_id ? { appId: row.app_id } : {}),
        ...(row.message ? { message: row.message } : {}),
        ...(row.request ? { request: row.request } : {}),
        ...(row.sender ? { sender: row.sender } : {}),
        replayOf: row.replay_of ?? row.event_id,
      },
      { msgID: eventId, correlationId },
    );
    return eventId;
  }

  /** Events whose raw body was purged are passed over and counted: there is nothing to replay. */
  async replaySince(access: OwnerAccess, filter: EventFilter, correlationId?: string): Promise<{ replayed: number; truncated: boolean; body_purged: number }> {
    let replayed = 0;
    let purged = 0;
    let cursor: { at: string; id: string } | undefined;
    for (;;) {
      const { rows, next } = await this.list(access, filter, 500, cursor);
      for (const row of rows) {
        if (replayed >= MAX_REPLAY) return { replayed, truncated: true, body_purged: purged };
        if (row.body_purged_at) {
          purged++;
          continue;
        }
        await this.replay(row, correlationId);
        replayed++;
      }
      if (!next) return { replayed, truncated: false, body_purged: purged };
      cursor = next;
    }
  }
}
