import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { ChannelEntity } from './channel.entity';
import { MessageEntity } from './message.entity';
import type { TargetKind } from './target';

export interface MessagePage {
  messages: MessageEntity[];
  nextCursor: string | null;
}

/** Channels, chats, bots and users as message targets, with their members and messages. */
@Injectable()
export class ChannelStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  findTarget(kind: TargetKind, name: string, tx: EntityManager = this.dataSource.manager): Promise<ChannelEntity | null> {
    return tx.getRepository(ChannelEntity).createQueryBuilder('c').where('c.kind = :kind AND lower(c.unique_name) = lower(:name)', { kind, name }).getOne();
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
    return this.dataSource.query(`SELECT member_kind, member_id, added_at FROM "dispatch"."member" WHERE target_id = $1 ORDER BY added_at, member_id`, [
      targetId,
    ]);
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
