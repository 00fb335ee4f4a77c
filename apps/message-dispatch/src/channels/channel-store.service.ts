import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ChannelEntity } from './channel.entity';
import { MessageEntity } from './message.entity';

export type TargetKind = 'channel' | 'bot' | 'chat' | 'user';

export interface StoreMessage {
  eventId: string;
  targetKind: TargetKind;
  targetName: string;
  senderUserId: string | null;
  content: Record<string, unknown> & { text?: string };
  streamSeq: number;
  receivedAt: Date;
}

export interface MessagePage {
  messages: MessageEntity[];
  nextCursor: string | null;
}

@Injectable()
export class ChannelStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Idempotent: storing the same event twice leaves one message. Returns false for a repeat. */
  async store(input: StoreMessage): Promise<boolean> {
    return this.dataSource.transaction(async (tx) => {
      const [channel] = (await tx.query(
        `INSERT INTO "dispatch"."channel" (kind, unique_name) VALUES ($1, $2)
         ON CONFLICT (kind, lower(unique_name)) DO UPDATE SET unique_name = "channel".unique_name
         RETURNING id`,
        [input.targetKind, input.targetName],
      )) as { id: string }[];
      const inserted = (await tx.query(
        `INSERT INTO "dispatch"."message" (id, event_id, channel_id, sender_user_id, text, content, stream_seq, received_at)
         VALUES ($1, $1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (event_id) DO NOTHING
         RETURNING id`,
        [input.eventId, channel.id, input.senderUserId, input.content.text ?? null, input.content, input.streamSeq, input.receivedAt],
      )) as unknown[];
      return inserted.length === 1;
    });
  }

  findTarget(kind: TargetKind, name: string): Promise<ChannelEntity | null> {
    return this.dataSource
      .getRepository(ChannelEntity)
      .createQueryBuilder('c')
      .where('c.kind = :kind AND lower(c.unique_name) = lower(:name)', { kind, name })
      .getOne();
  }

  /** Newest first; `before` is the stream sequence cursor of the last message seen. */
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
}
