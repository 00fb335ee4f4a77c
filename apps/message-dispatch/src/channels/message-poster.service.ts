import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { APP_CONFIG } from '@zapgate/platform';
import { DataSource, type EntityManager } from 'typeorm';
import type { DispatchConfig } from '../dispatch-config.schema';
import { filterMatchSql } from './message-facets';
import { ChannelStore } from './channel-store.service';
import { isOneTargetBatch, postAsMembers } from './member-posts';
import { createTarget, postToOneTarget } from './one-target-batch';
import type { PostInput, PostResult } from './post-types';

/**
 * Stores posts as messages of the channel store, with their deliveries, under
 * the store's rules: who may post where, which targets a first post creates,
 * and that an event is stored once.
 */
@Injectable()
export class MessagePoster {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: DispatchConfig,
    private readonly channels: ChannelStore,
  ) {}

  /**
   * Find or create the target, check the poster may post there, insert the
   * message (idempotent on the event id) and queue one delivery per active
   * subscription — the insert and its deliveries in one statement, so a stored
   * message always has its deliveries. A repeat of a stored event stores
   * nothing and is not re-checked, since membership may have changed since.
   */
  async post(input: PostInput): Promise<PostResult> {
    return this.postWith(this.dataSource.manager, input);
  }

  /**
   * Several posts of one target in the given order. In the steady state (a target that exists,
   * posters who are members) one statement and one commit for the lot; otherwise one transaction,
   * one commit (one WAL flush). If any statement fails the whole batch rolls back and the caller
   * writes the posts one by one.
   */
  async postBatch(inputs: PostInput[]): Promise<PostResult[]> {
    // Replays and posts as a bot are compared and checked one by one.
    const oneTarget = isOneTargetBatch(inputs);
    if (oneTarget) {
      const stored = await postAsMembers(this.dataSource.manager, inputs);
      if (stored) return stored;
    }
    if (inputs.length === 1) return [await this.post(inputs[0])];
    return this.dataSource.transaction(async (tx) => {
      if (oneTarget) return postToOneTarget(tx, inputs, this.config.CHANNEL_AUTO_CREATE);
      const results: PostResult[] = [];
      for (const input of inputs) results.push(await this.postWith(tx, input));
      return results;
    });
  }

  private async postWith(tx: EntityManager, input: PostInput): Promise<PostResult> {
    const bot = input.asBot?.toLowerCase() ?? null;
    const [state] = (await tx.query(
      `SELECT (SELECT id FROM "dispatch"."message" WHERE event_id = $1) AS existing, t.id AS target_id,
         EXISTS (SELECT 1 FROM "dispatch"."member" m WHERE m.target_id = t.id AND m.member_kind = 'user' AND m.member_id = $4) AS is_member,
         EXISTS (SELECT 1 FROM "dispatch"."member" m WHERE m.target_id = t.id AND m.member_kind = 'bot' AND m.member_id = $5) AS bot_member
       FROM (SELECT 1) one LEFT JOIN "dispatch"."channel" t ON t.kind = $2 AND lower(t.unique_name) = lower($3)`,
      [input.eventId, input.target.kind, input.target.name, input.senderUserId, bot],
    )) as { existing: string | null; target_id: string | null; is_member: boolean; bot_member: boolean }[];
    if (state.existing) return { result: 'repeat', messageId: state.existing };
    if (input.replayOf && state.target_id) {
      const same = await this.sameReplayed(tx, input, state.target_id, bot);
      if (same) return { result: 'repeat', messageId: same };
    }

    const restricted = input.target.kind === 'channel' || input.target.kind === 'chat';
    let targetId = state.target_id;
    let created = false;
    if (!targetId) {
      // Users and bots exist outside the store; channels and chats are made by their first post only when allowed.
      if (restricted && !this.config.CHANNEL_AUTO_CREATE) return { result: 'rejected', code: 'target_not_found', message: 'No such channel or chat.' };
      ({ id: targetId, created } = await createTarget(tx, input.target, input.senderUserId));
    }
    if (restricted && !created && !state.is_member) {
      return { result: 'rejected', code: 'not_a_member', message: 'The poster is not a member of this channel or chat.' };
    }
    // The first poster of a channel or chat owns it; posting to a bot or a user makes you a participant of that conversation.
    if (!state.is_member && (created || !restricted)) await this.channels.addMember(targetId, 'user', input.senderUserId, tx);
    const ownBot = input.target.kind === 'bot' && input.target.name.toLowerCase() === bot;
    if (bot && !ownBot && !state.bot_member) {
      return { result: 'rejected', code: 'bot_not_participant', message: `The bot ${input.asBot} is not a participant here.` };
    }

    const [stored] = (await tx.query(
      `WITH m AS (
         INSERT INTO "dispatch"."message" (id, event_id, channel_id, sender_user_id, sender_bot, text, content, stream_seq, received_at, replay_of)
         VALUES ($1, $1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (event_id) DO NOTHING
         RETURNING id, store_seq),
       d AS (
         -- clock_timestamp, not the transaction's now(): messages stored in one batch still come due in their order.
         -- A strict subscription's delivery waits ('infinity') until it is the head of its subscription.
         INSERT INTO "dispatch"."delivery" (subscription_id, message_id, seq, next_attempt_at)
         SELECT s.id, m.id, m.store_seq, CASE WHEN s.ordering = 'strict' THEN 'infinity' ELSE clock_timestamp() END
         FROM "dispatch"."subscription_target" st JOIN "dispatch"."subscription" s ON s.id = st.subscription_id, m
         WHERE st.target_id = $2 AND s.status = 'active'
           AND ${filterMatchSql({ sources: '$10::text[]', eventType: '$11::text', payload: '$12::jsonb', content: '$6::jsonb' })}
         RETURNING 1)
       SELECT m.id, m.store_seq, (SELECT count(*) FROM d)::int AS deliveries FROM m`,
      [
        input.eventId,
        targetId,
        input.senderUserId,
        input.asBot ?? null,
        input.content.text ?? null,
        input.content,
        input.streamSeq,
        input.receivedAt,
        input.replayOf ?? null,
        input.facets.sources,
        input.facets.eventType,
        input.facets.payload,
      ],
    )) as { id: string; store_seq: string; deliveries: number }[];
    // Lost a race with a concurrent copy of the same event: that one stored it.
    if (!stored) return { result: 'repeat', messageId: input.eventId };
    return { result: 'stored', messageId: stored.id, targetId, storeSeq: stored.store_seq, deliveries: stored.deliveries };
  }

  /**
   * The message a replay would duplicate: stored for the same original event (by it or an earlier
   * replay of it), in the same target, from the same sender, with the same content (jsonb equality).
   * A replay that yields something else — a handler that answers differently now — is stored.
   */
  private async sameReplayed(tx: EntityManager, input: PostInput, targetId: string, bot: string | null): Promise<string | undefined> {
    const [row] = (await tx.query(
      `SELECT id FROM "dispatch"."message"
        WHERE (event_id = $1 OR replay_of = $1) AND channel_id = $2 AND content = $3::jsonb
          AND sender_user_id IS NOT DISTINCT FROM $4 AND sender_bot IS NOT DISTINCT FROM $5
        ORDER BY store_seq LIMIT 1`,
      [input.replayOf, targetId, JSON.stringify(input.content), input.senderUserId, bot],
    )) as { id: string }[];
    return row?.id;
  }
}
