import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A message as stored in Zapgate's own channel store. */
@Entity({ name: 'message' })
export class MessageEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** The ingest event it came from; unique, so a redelivered event stores nothing twice. */
  @Column({ name: 'event_id', type: 'uuid' })
  eventId!: string;

  @Column({ name: 'channel_id', type: 'uuid' })
  channelId!: string;

  @Column({ name: 'sender_user_id', type: 'uuid', nullable: true })
  senderUserId!: string | null;

  /** Set when the message was posted as a bot (`bot_unique_name`). */
  @Column({ name: 'sender_bot', type: 'text', nullable: true })
  senderBot!: string | null;

  @Column({ type: 'text', nullable: true })
  text!: string | null;

  /** The whole Cliq message JSON (text, card, slides, buttons…). */
  @Column({ type: 'jsonb' })
  content!: Record<string, unknown>;

  /** JetStream sequence of the event: the order messages were ingested in. */
  @Column({ name: 'stream_seq', type: 'bigint' })
  streamSeq!: string;

  /** Order of storing; live readers resume from it. */
  @Column({ name: 'store_seq', type: 'bigint', insert: false, update: false })
  storeSeq!: string;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;

  @Column({ name: 'stored_at', type: 'timestamptz', default: () => 'now()' })
  storedAt!: Date;
}
