import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { APP_CONFIG } from '@zapgate/platform';
import { DataSource, type EntityManager } from 'typeorm';
import type { DispatchConfig } from '../dispatch-config.schema';
import { ChannelEntity } from './channel.entity';
import { MessageEntity } from './message.entity';
import type { TargetKind, TargetRef } from './target';

export interface PostInput {
  eventId: string;
  target: TargetRef;
  senderUserId: string;
  /** Post as this bot; it must be a participant of the target. */
  asBot?: string;
  content: Record<string, unknown> & { text?: string };
  streamSeq: number;
  receivedAt: Date;
}

export type PostResult =
  | { result: 'stored'; messageId: string; targetId: string; storeSeq: string; deliveries: number }
  | { result: 'repeat'; messageId: string }
  | { result: 'rejected'; code: 'target_not_found' | 'not_a_member' | 'bot_not_participant'; message: string };

export interface MessagePage {
  messages: MessageEntity[];
  nextCursor: string | null;
}

/** Channels, chats, bots and users as message targets, with their members and messages. */
@Injectable()
export class ChannelStore {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: DispatchConfig,
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
   * Several posts of one target in one transaction, in the given order: one
   * commit (one WAL flush) for the lot. If any statement fails the whole batch
   * rolls back and the caller writes the posts one by one.
   */
  async postBatch(inputs: PostInput[]): Promise<PostResult[]> {
    if (inputs.length === 1) return [await this.post(inputs[0])];
    const first = inputs[0].target;
    const oneTarget = inputs.every((i) => !i.asBot && i.target.kind === first.kind && i.target.name.toLowerCase() === first.name.toLowerCase());
    return this.dataSource.transaction(async (tx) => {
      if (oneTarget) return this.postToOneTarget(tx, inputs);
      const results: PostResult[] = [];
      for (const input of inputs) results.push(await this.postWith(tx, input));
      return results;
    });
  }

  /**
   * The common batch: every post to one target, none as a bot. The same rules
   * as postWith, decided in order for each post from one read of the target,
   * its members and the events already stored, then one INSERT for all the
   * messages and their deliveries: three statements for the batch, whatever
   * its size, instead of two per post.
   */
  private async postToOneTarget(tx: EntityManager, inputs: PostInput[]): Promise<PostResult[]> {
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
        if (restricted && !this.config.CHANNEL_AUTO_CREATE) {
          results[index] = { result: 'rejected', code: 'target_not_found', message: 'No such channel or chat.' };
          continue;
        }
        const [row] = (await tx.query(
          `INSERT INTO "dispatch"."channel" (kind, unique_name, owner_user_id) VALUES ($1, $2, $3)
           ON CONFLICT (kind, lower(unique_name)) DO UPDATE SET unique_name = "channel".unique_name
           RETURNING id, (xmax = 0) AS created`,
          [target.kind, target.name, input.senderUserId],
        )) as { id: string; created: boolean }[];
        targetId = row.id;
        created = row.created;
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
      await tx.query(
        `INSERT INTO "dispatch"."member" (target_id, member_kind, member_id) SELECT $1, 'user', unnest($2::text[]) ON CONFLICT DO NOTHING`,
        [targetId, joining],
      );
    }
    if (toStore.length) {
      const rows = toStore.map(({ input }) => ({
        id: input.eventId,
        sender: input.senderUserId,
        text: input.content.text ?? null,
        content: input.content,
        stream_seq: input.streamSeq,
        received_at: input.receivedAt.toISOString(),
      }));
      const stored = (await tx.query(
        `WITH v AS (
           SELECT * FROM ROWS FROM (
             jsonb_to_recordset($2::jsonb) AS (id uuid, sender uuid, text text, content jsonb, stream_seq bigint, received_at timestamptz)
           ) WITH ORDINALITY AS v(id, sender, text, content, stream_seq, received_at, ord)),
         m AS (
           INSERT INTO "dispatch"."message" (id, event_id, channel_id, sender_user_id, sender_bot, text, content, stream_seq, received_at)
           SELECT v.id, v.id, $1, v.sender, NULL, v.text, v.content, v.stream_seq, v.received_at FROM v ORDER BY v.ord
           ON CONFLICT (event_id) DO NOTHING
           RETURNING id, store_seq),
         d AS (
           -- In the batch's order: a microsecond apart, so they come due one after another.
           INSERT INTO "dispatch"."delivery" (subscription_id, message_id, next_attempt_at)
           SELECT s.id, m.id, now() + v.ord * interval '1 microsecond'
           FROM m JOIN v ON v.id = m.id JOIN "dispatch"."subscription" s ON s.target_id = $1 AND s.status = 'active'
           RETURNING message_id)
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

    const restricted = input.target.kind === 'channel' || input.target.kind === 'chat';
    let targetId = state.target_id;
    let created = false;
    if (!targetId) {
      // Users and bots exist outside the store; channels and chats are made by their first post only when allowed.
      if (restricted && !this.config.CHANNEL_AUTO_CREATE) return { result: 'rejected', code: 'target_not_found', message: 'No such channel or chat.' };
      const [row] = (await tx.query(
        `INSERT INTO "dispatch"."channel" (kind, unique_name, owner_user_id) VALUES ($1, $2, $3)
         ON CONFLICT (kind, lower(unique_name)) DO UPDATE SET unique_name = "channel".unique_name
         RETURNING id, (xmax = 0) AS created`,
        [input.target.kind, input.target.name, input.senderUserId],
      )) as { id: string; created: boolean }[];
      targetId = row.id;
      created = row.created;
    }
    if (restricted && !created && !state.is_member) {
      return { result: 'rejected', code: 'not_a_member', message: 'The poster is not a member of this channel or chat.' };
    }
    // The first poster of a channel or chat owns it; posting to a bot or a user makes you a participant of that conversation.
    if (!state.is_member && (created || !restricted)) await this.addMember(targetId, 'user', input.senderUserId, tx);
    const ownBot = input.target.kind === 'bot' && input.target.name.toLowerCase() === bot;
    if (bot && !ownBot && !state.bot_member) {
      return { result: 'rejected', code: 'bot_not_participant', message: `The bot ${input.asBot} is not a participant here.` };
    }

    const [stored] = (await tx.query(
      `WITH m AS (
         INSERT INTO "dispatch"."message" (id, event_id, channel_id, sender_user_id, sender_bot, text, content, stream_seq, received_at)
         VALUES ($1, $1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (event_id) DO NOTHING
         RETURNING id, store_seq),
       d AS (
         -- clock_timestamp, not the transaction's now(): messages stored in one batch still come due in their order.
         INSERT INTO "dispatch"."delivery" (subscription_id, message_id, next_attempt_at)
         SELECT s.id, m.id, clock_timestamp() FROM "dispatch"."subscription" s, m WHERE s.target_id = $2 AND s.status = 'active'
         RETURNING 1)
       SELECT m.id, m.store_seq, (SELECT count(*) FROM d)::int AS deliveries FROM m`,
      [input.eventId, targetId, input.senderUserId, input.asBot ?? null, input.content.text ?? null, input.content, input.streamSeq, input.receivedAt],
    )) as { id: string; store_seq: string; deliveries: number }[];
    // Lost a race with a concurrent copy of the same event: that one stored it.
    if (!stored) return { result: 'repeat', messageId: input.eventId };
    return { result: 'stored', messageId: stored.id, targetId, storeSeq: stored.store_seq, deliveries: stored.deliveries };
  }

  findTarget(kind: TargetKind, name: string, tx: EntityManager = this.dataSource.manager): Promise<ChannelEntity | null> {
    return tx
      .getRepository(ChannelEntity)
      .createQueryBuilder('c')
      .where('c.kind = :kind AND lower(c.unique_name) = lower(:name)', { kind, name })
      .getOne();
  }

  async isMember(targetId: string, memberKind: 'user' | 'bot', memberId: string, tx: EntityManager = this.dataSource.manager): Promise<boolean> {
    const rows = (await tx.query(`SELECT 1 FROM "dispatch"."member" WHERE target_id = $1 AND member_kind = $2 AND member_id = $3`, [
      targetId,
      memberKind,
      memberId,
    ])) as unknown[];
    return rows.length > 0;
  }

  async addMember(targetId: string, memberKind: 'user' | 'bot', memberId: string, tx: EntityManager = this.dataSource.manager): Promise<void> {
    await tx.query(`INSERT INTO "dispatch"."member" (target_id, member_kind, member_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [
      targetId,
      memberKind,
      memberId,
    ]);
  }

  async removeMember(targetId: string, memberKind: 'user' | 'bot', memberId: string): Promise<boolean> {
    const [, count] = (await this.dataSource.query(`DELETE FROM "dispatch"."member" WHERE target_id = $1 AND member_kind = $2 AND member_id = $3`, [
      targetId,
      memberKind,
      memberId,
    ])) as [unknown, number];
    return count > 0;
  }

  async members(targetId: string): Promise<{ member_kind: 'user' | 'bot'; member_id: string; added_at: Date }[]> {
    return this.dataSource.query(`SELECT member_kind, member_id, added_at FROM "dispatch"."member" WHERE target_id = $1 ORDER BY added_at, member_id`, [targetId]);
  }

  /** Creates a channel or chat owned by `ownerUserId`; false if the name is taken. */
  async create(kind: TargetKind, name: string, title: string | null, ownerUserId: string): Promise<ChannelEntity | null> {
    return this.dataSource.transaction(async (tx) => {
      const [row] = (await tx.query(
        `INSERT INTO "dispatch"."channel" (kind, unique_name, title, owner_user_id) VALUES ($1, $2, $3, $4)
         ON CONFLICT (kind, lower(unique_name)) DO NOTHING RETURNING id`,
        [kind, name, title, ownerUserId],
      )) as { id: string }[];
      if (!row) return null;
      await this.addMember(row.id, 'user', ownerUserId, tx);
      return tx.getRepository(ChannelEntity).findOneByOrFail({ id: row.id });
    });
  }

  /** Targets a user belongs to, by kind. */
  async targetsOf(userId: string, kind: TargetKind): Promise<ChannelEntity[]> {
    return this.dataSource
      .getRepository(ChannelEntity)
      .createQueryBuilder('c')
      .where('c.kind = :kind', { kind })
      .andWhere(`EXISTS (SELECT 1 FROM "dispatch"."member" m WHERE m.target_id = c.id AND m.member_kind = 'user' AND m.member_id = :userId)`, { userId })
      .orderBy('lower(c.unique_name)')
      .limit(1000)
      .getMany();
  }

  /** Newest first in ingest order; `before` is the stream sequence cursor of the last message seen. */
  async page(channelId: string, limit: number, before?: string): Promise<MessagePage> {
    const qb = this.dataSource
      .getRepository(MessageEntity)
      .createQueryBuilder('m')
      .where('m.channel_id = :channelId', { channelId })
      .orderBy('m.stream_seq', 'DESC')
      .limit(limit + 1);
    if (before) qb.andWhere('m.stream_seq < :before', { before });
    const rows = await qb.getMany();
    const messages = rows.slice(0, limit);
    return { messages, nextCursor: rows.length > limit ? messages[messages.length - 1].streamSeq : null };
  }

  /** Messages stored after `storeSeq`, oldest first: what a live reader has not seen yet. */
  after(channelId: string, storeSeq: string, limit: number): Promise<MessageEntity[]> {
    return this.dataSource
      .getRepository(MessageEntity)
      .createQueryBuilder('m')
      .where('m.channel_id = :channelId AND m.store_seq > :storeSeq', { channelId, storeSeq })
      .orderBy('m.store_seq', 'ASC')
      .limit(limit)
      .getMany();
  }

  async lastStoreSeq(channelId: string): Promise<string> {
    const [row] = (await this.dataSource.query(`SELECT coalesce(max(store_seq), 0)::text AS seq FROM "dispatch"."message" WHERE channel_id = $1`, [
      channelId,
    ])) as { seq: string }[];
    return row.seq;
  }
}
