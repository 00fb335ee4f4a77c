import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { OperationalEventData, OperationalEventType } from '@zapgate/contracts';
import { createHash } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { filterMatchSql } from './message-facets';

/** The internal target whose messages are Zapgate's own events, for operators' endpoints. */
export const OPERATIONS_TARGET = { kind: 'operations', name: 'operations' } as const;

const MATCH = filterMatchSql({ sources: `'{operations}'::text[]`, eventType: '$5::text', payload: '$4::jsonb', content: '$4::jsonb' });

/** A name-based UUID (v5 layout) of the event's key: the same source event makes the same message, once. */
function eventIdOf(key: string): string {
  const h = createHash('sha1').update(`zapgate-operations:${key}`).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/**
 * Stores one operational event as a message of the operations target, with
 * a delivery for every active operational endpoint whose event types take
 * it (and nothing when none does) — the same statement as any message, so the same retries, ordering and
 * dead letters follow. Idempotent on `key`; pass the caller's transaction
 * so the event exists exactly when the change it reports does.
 */
@Injectable()
export class OperationsFeed {
  private targetRow?: { id: string; uniqueName: string };

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The operations target (made by a migration, never renamed: read once). */
  async target(): Promise<{ id: string; uniqueName: string }> {
    if (!this.targetRow) {
      const [row] = (await this.dataSource.query(`SELECT id FROM "dispatch"."channel" WHERE kind = $1 AND unique_name = $2`, [
        OPERATIONS_TARGET.kind,
        OPERATIONS_TARGET.name,
      ])) as { id: string }[];
      this.targetRow = { id: row.id, uniqueName: OPERATIONS_TARGET.name };
    }
    return this.targetRow;
  }

  async emit<T extends OperationalEventType>(
    type: T,
    data: OperationalEventData<T>,
    key: string,
    tx: EntityManager = this.dataSource.manager,
  ): Promise<number> {
    const [row] = (await tx.query(
      `WITH t AS (SELECT id FROM "dispatch"."channel" WHERE kind = $1 AND unique_name = $2),
       m AS (
         INSERT INTO "dispatch"."message" (id, event_id, channel_id, content, stream_seq, received_at)
         SELECT $3, $3, t.id, $4::jsonb, 0, now() FROM t
         -- Kept only when an endpoint takes it: nobody listening, nothing stored.
         WHERE EXISTS (SELECT 1 FROM "dispatch"."subscription" s WHERE s.target_id = t.id AND s.status = 'active' AND ${MATCH})
         ON CONFLICT (event_id) DO NOTHING
         RETURNING id, store_seq, channel_id),
       d AS (
         INSERT INTO "dispatch"."delivery" (subscription_id, message_id, seq, next_attempt_at)
         SELECT s.id, m.id, m.store_seq, CASE WHEN s.ordering = 'strict' THEN 'infinity' ELSE clock_timestamp() END
         FROM "dispatch"."subscription" s, m WHERE s.target_id = m.channel_id AND s.status = 'active'
           AND ${MATCH}
         RETURNING 1)
       SELECT (SELECT count(*) FROM d)::int AS deliveries`,
      [OPERATIONS_TARGET.kind, OPERATIONS_TARGET.name, eventIdOf(key), JSON.stringify({ type, data }), type],
    )) as { deliveries: number }[];
    return row?.deliveries ?? 0;
  }
}
