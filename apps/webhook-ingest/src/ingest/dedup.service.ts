import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { APP_CONFIG, uuidV5 } from '@zapgate/platform';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { IngestConfig } from '../ingest-config.schema';

/** Namespace for event ids derived from idempotency keys. */
const EVENT_ID_NAMESPACE = '3b8f2a4e-7c1d-5e9a-8f6b-2d4c6e8a0b1c';

/** Header names senders put their delivery id in, in order of preference. */
const KEY_HEADERS = ['x-github-delivery', 'idempotency-key', 'x-gitlab-event-uuid', 'webhook-id'];

export interface EventIdentity {
  eventId: string;
  dedupKey?: string;
  /** The key was seen within the window: answer with its first event, publish nothing. */
  duplicate: boolean;
}

/**
 * Idempotency. The event id of a request with a delivery key is derived from
 * (scope, key), so every repeat carries the same id: JetStream drops repeats
 * within its 2-minute window (msgID), and consumers' unique keys on event id
 * drop later ones. The PostgreSQL table written by the event log gives the
 * window (DEDUP_WINDOW_HOURS) its meaning: a key older than that starts afresh.
 */
@Injectable()
export class DedupService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: IngestConfig,
  ) {}

  static keyFrom(headers: Record<string, string | string[] | undefined>): string | undefined {
    for (const name of KEY_HEADERS) {
      const value = headers[name];
      const key = Array.isArray(value) ? value[0] : value;
      if (key && key.length <= 255) return key;
    }
    return undefined;
  }

  async identify(scope: string, key: string | undefined): Promise<EventIdentity> {
    if (!key) return { eventId: randomUUID(), duplicate: false };
    const dedupKey = `${scope}|${key}`;
    const [row] = (await this.dataSource.query(
      `SELECT event_id, first_seen_at > now() - make_interval(hours => $2) AS fresh FROM "ingest"."dedup_key" WHERE key = $1`,
      [dedupKey, this.config.DEDUP_WINDOW_HOURS],
    )) as { event_id: string; fresh: boolean }[];
    if (row?.fresh) return { eventId: row.event_id, dedupKey, duplicate: true };
    // A key seen before but outside the window is a new event: salt its id with the time.
    const eventId = row ? uuidV5(`${dedupKey}|${Date.now()}`, EVENT_ID_NAMESPACE) : uuidV5(dedupKey, EVENT_ID_NAMESPACE);
    return { eventId, dedupKey, duplicate: false };
  }
}
