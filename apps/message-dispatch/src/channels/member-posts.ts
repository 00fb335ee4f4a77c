import type { EntityManager } from 'typeorm';
import { batchDeliveriesSql, messageRow } from './one-target-batch';
import type { PostInput, PostResult } from './post-types';

/**
 * One target, no post as a bot, no replay (those are checked one by one): the batches that both
 * one-target paths take — this file's one statement, and postToOneTarget when it does not apply.
 */
export function isOneTargetBatch(inputs: PostInput[]): boolean {
  const first = inputs[0].target;
  const name = first.name.toLowerCase();
  return inputs.every((i) => !i.asBot && !i.replayOf && i.target.kind === first.kind && i.target.name.toLowerCase() === name);
}

/**
 * The steady state in one statement, outside any transaction: the target exists and every poster
 * is already a member of it. Then the rules have nothing to decide, and the messages and their
 * deliveries are inserted in one round trip and one commit, instead of a BEGIN, a read of the
 * target and its members, the insert and a COMMIT.
 *
 * All or nothing: if one post of the batch does not qualify (no such target yet, a poster who is
 * not a member), nothing is written and the answer is `undefined`, so the caller decides the whole
 * batch on the full path (MessagePoster) and its order holds. An event already stored is a repeat,
 * as on the full path, and not re-checked either way.
 */
export async function postAsMembers(manager: EntityManager, inputs: PostInput[]): Promise<PostResult[] | undefined> {
  const target = inputs[0].target;
  // A second copy of an event in the batch is a repeat: sent once, so it cannot ask for its deliveries twice.
  const seen = new Set<string>();
  const unique = inputs.filter((input) => !seen.has(input.eventId) && seen.add(input.eventId));
  const rows = unique.map(messageRow);
  const [answer] = (await manager.query(
    `WITH v AS (
       SELECT * FROM ROWS FROM (
         jsonb_to_recordset($3::jsonb) AS (id uuid, sender text, text text, content jsonb, stream_seq bigint, received_at timestamptz, sources text[], event_type text, payload text)
       ) WITH ORDINALITY AS v(id, sender, text, content, stream_seq, received_at, sources, event_type, payload, ord)),
     t AS (SELECT id FROM "dispatch"."channel" WHERE kind = $1 AND lower(unique_name) = lower($2)),
     ok AS (
       SELECT v.*, t.id AS target_id FROM v JOIN t ON true
        WHERE EXISTS (SELECT 1 FROM "dispatch"."member" mb WHERE mb.target_id = t.id AND mb.member_kind = 'user' AND mb.member_id = v.sender)),
     go AS (SELECT (SELECT count(*) FROM ok) = (SELECT count(*) FROM v) AS all_ok),
     m AS (
       INSERT INTO "dispatch"."message" (id, event_id, channel_id, sender_user_id, sender_bot, text, content, stream_seq, received_at)
       SELECT ok.id, ok.id, ok.target_id, ok.sender::uuid, NULL, ok.text, ok.content, ok.stream_seq, ok.received_at FROM ok, go WHERE go.all_ok ORDER BY ok.ord
       ON CONFLICT (event_id) DO NOTHING
       RETURNING id, store_seq, channel_id),
     d AS (${batchDeliveriesSql('m.channel_id')})
     SELECT (SELECT all_ok FROM go) AS all_ok, (SELECT id FROM t) AS target_id,
       coalesce((SELECT json_agg(json_build_object('id', m.id, 'store_seq', m.store_seq::text,
         'deliveries', (SELECT count(*) FROM d WHERE d.message_id = m.id))) FROM m), '[]') AS stored`,
    [target.kind, target.name, JSON.stringify(rows)],
  )) as { all_ok: boolean; target_id: string | null; stored: { id: string; store_seq: string; deliveries: number }[] }[];
  if (!answer.all_ok || !answer.target_id) return undefined;
  const byId = new Map(answer.stored.map((r) => [r.id, r]));
  return inputs.map((input) => {
    const row = byId.get(input.eventId);
    // Not inserted: stored before, by a concurrent copy, or earlier in this batch.
    if (!row) return { result: 'repeat', messageId: input.eventId };
    byId.delete(input.eventId);
    return { result: 'stored', messageId: row.id, targetId: answer.target_id!, storeSeq: row.store_seq, deliveries: Number(row.deliveries) };
  });
}
