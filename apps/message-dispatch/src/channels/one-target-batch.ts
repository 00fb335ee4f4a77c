import type { EntityManager } from 'typeorm';
import { filterMatchSql } from './message-facets';
import type { PostInput, PostResult } from './post-types';
import type { TargetRef } from './target';

/** One post as a row of the `jsonb_to_recordset` the batch inserts read (see the column list there). */
export function messageRow(input: PostInput) {
  return {
    id: input.eventId,
    sender: input.senderUserId,
    text: input.content.text ?? null,
    content: input.content,
    stream_seq: input.streamSeq,
    received_at: input.receivedAt.toISOString(),
    sources: input.facets.sources,
    event_type: input.facets.eventType,
    payload: input.facets.payload,
  };
}

/**
 * The deliveries of a batch insert: one per active subscription of the target whose filters match,
 * for the rows of CTE `m` (inserted messages) joined to `v` (the batch, with its ordinality).
 * In the batch's order: a microsecond apart, so they come due one after another. A strict
 * subscription's delivery waits ('infinity') until it is the head of its subscription.
 */
export function batchDeliveriesSql(targetId: string): string {
  return `INSERT INTO "dispatch"."delivery" (subscription_id, message_id, seq, next_attempt_at)
       SELECT s.id, m.id, m.store_seq, CASE WHEN s.ordering = 'strict' THEN 'infinity' ELSE now() + v.ord * interval '1 microsecond' END
       FROM m JOIN v ON v.id = m.id
       JOIN "dispatch"."subscription_target" st ON st.target_id = ${targetId} JOIN "dispatch"."subscription" s ON s.id = st.subscription_id AND s.status = 'active'
         AND ${filterMatchSql({ sources: 'v.sources', eventType: 'v.event_type', payload: 'v.payload::jsonb', content: 'v.content' })}
       RETURNING message_id`;
}

/** The target, made by this first post (owned by its poster), or found if a concurrent post made it first. */
export async function createTarget(tx: EntityManager, target: TargetRef, ownerUserId: string): Promise<{ id: string; created: boolean }> {
  const [row] = (await tx.query(
    `INSERT INTO "dispatch"."channel" (kind, unique_name, owner_user_id) VALUES ($1, $2, $3)
     ON CONFLICT (kind, lower(unique_name)) DO UPDATE SET unique_name = "channel".unique_name
     RETURNING id, (xmax = 0) AS created`,
    [target.kind, target.name, ownerUserId],
  )) as { id: string; created: boolean }[];
  return row;
}

/**
 * The common batch: every post to one target, none as a bot. The same rules
 * as MessagePoster.postWith, decided in order for each post from one read of the target,
 * its members and the events already stored, then one INSERT for all the
 * messages and their deliveries: three statements for the batch, whatever
 * its size, instead of two per post.
 */
export async function postToOneTarget(tx: EntityManager, inputs: PostInput[], autoCreate: boolean): Promise<PostResult[]> {
  const target = inputs[0].target;
  const senders = [...new Set(inputs.map((i) => i.senderUserId))];
  const [state] = (await tx.query(
    `SELECT t.id AS target_id,
       coalesce((SELECT array_agg(m.event_id::text) FROM "dispatch"."message" m WHERE m.event_id = ANY($3::uuid[])), '{}') AS existing,
       coalesce((SELECT array_agg(mb.member_id) FROM "dispatch"."member" mb WHERE mb.target_id = t.id AND mb.member_kind = 'user' AND mb.member_id = ANY($4::text[])), '{}') AS members
     FROM (SELECT 1) one LEFT JOIN "dispatch"."channel" t ON t.kind = $1 AND lower(t.unique_name) = lower($2)`,
    [target.kind, target.name, inputs.map((i) => i.eventId), senders],
  )) as { target_id: string | null; existing: string[]; members: string[] }[];
  const existing = new Set(state.existing);
  const members = new Set(state.members);
  const restricted = target.kind === 'channel' || target.kind === 'chat';
  let targetId = state.target_id;
  const results: (PostResult | undefined)[] = [];
  const toStore: { input: PostInput; index: number }[] = [];
  const joining: string[] = [];
  for (const [index, input] of inputs.entries()) {
    if (existing.has(input.eventId)) {
      results[index] = { result: 'repeat', messageId: input.eventId };
      continue;
    }
    let created = false;
    if (!targetId) {
      if (restricted && !autoCreate) {
        results[index] = { result: 'rejected', code: 'target_not_found', message: 'No such channel or chat.' };
        continue;
      }
      ({ id: targetId, created } = await createTarget(tx, target, input.senderUserId));
    }
    const isMember = members.has(input.senderUserId);
    if (restricted && !created && !isMember) {
      results[index] = { result: 'rejected', code: 'not_a_member', message: 'The poster is not a member of this channel or chat.' };
      continue;
    }
    if (!isMember && (created || !restricted)) {
      members.add(input.senderUserId);
      joining.push(input.senderUserId);
    }
    existing.add(input.eventId); // a second copy of the event in this batch is a repeat
    toStore.push({ input, index });
  }
  if (joining.length) {
    await tx.query(`INSERT INTO "dispatch"."member" (target_id, member_kind, member_id) SELECT $1, 'user', unnest($2::text[]) ON CONFLICT DO NOTHING`, [
      targetId,
      joining,
    ]);
  }
  if (toStore.length) {
    const rows = toStore.map(({ input }) => messageRow(input));
    const stored = (await tx.query(
      `WITH v AS (
         SELECT * FROM ROWS FROM (
           jsonb_to_recordset($2::jsonb) AS (id uuid, sender uuid, text text, content jsonb, stream_seq bigint, received_at timestamptz, sources text[], event_type text, payload text)
         ) WITH ORDINALITY AS v(id, sender, text, content, stream_seq, received_at, sources, event_type, payload, ord)),
       m AS (
         INSERT INTO "dispatch"."message" (id, event_id, channel_id, sender_user_id, sender_bot, text, content, stream_seq, received_at)
         SELECT v.id, v.id, $1, v.sender, NULL, v.text, v.content, v.stream_seq, v.received_at FROM v ORDER BY v.ord
         ON CONFLICT (event_id) DO NOTHING
         RETURNING id, store_seq),
       d AS (${batchDeliveriesSql('$1')})
       SELECT m.id, m.store_seq, (SELECT count(*) FROM d WHERE d.message_id = m.id)::int AS deliveries FROM m`,
      [targetId, JSON.stringify(rows)],
    )) as { id: string; store_seq: string; deliveries: number }[];
    const byId = new Map(stored.map((r) => [r.id, r]));
    for (const { input, index } of toStore) {
      const row = byId.get(input.eventId);
      // Lost a race with a concurrent copy of the same event: that one stored it.
      results[index] = row
        ? { result: 'stored', messageId: row.id, targetId: targetId!, storeSeq: row.store_seq, deliveries: row.deliveries }
        : { result: 'repeat', messageId: input.eventId };
    }
  }
  return results as PostResult[];
}
