import { CliqMessageSchema } from '@zapgate/contracts';
import { TimestampSchema } from '@zapgate/platform';
import { z } from 'zod';
import type { ChannelEntity } from './channel.entity';
import type { MessageEntity } from './message.entity';

export const MessageViewSchema = z
  .object({
    id: z.string(),
    event_id: z.uuid().describe('the webhook event it came from'),
    sender: z
      .union([z.object({ type: z.literal('bot'), name: z.string(), posted_by: z.uuid().nullable() }), z.object({ type: z.literal('user'), id: z.uuid() })])
      .nullable(),
    time: TimestampSchema,
    // The Cliq message as posted: text, card, slides, buttons.
    content: CliqMessageSchema,
  })
  .meta({ id: 'Message' });
export type MessageView = z.infer<typeof MessageViewSchema>;

/** A stored message as the API shows it. */
export const messageView = (m: MessageEntity): MessageView => ({
  id: m.id,
  event_id: m.eventId,
  sender: m.senderBot ? { type: 'bot', name: m.senderBot, posted_by: m.senderUserId } : m.senderUserId ? { type: 'user', id: m.senderUserId } : null,
  time: m.receivedAt.toISOString(),
  content: m.content,
});

export const TargetViewSchema = z
  .object({
    id: z.uuid(),
    kind: z.enum(['channel', 'bot', 'chat', 'user']),
    unique_name: z.string(),
    title: z.string().nullable(),
    owner_user_id: z.uuid().nullable(),
    created_at: TimestampSchema,
  })
  .meta({ id: 'Target' });

/** A channel, chat or bot as the API shows it. */
export const targetView = (t: ChannelEntity) => ({
  id: t.id,
  kind: t.kind,
  unique_name: t.uniqueName,
  title: t.title,
  owner_user_id: t.ownerUserId,
  created_at: t.createdAt,
});

export const MembersSchema = z.object({
  target: TargetViewSchema,
  data: z.array(z.object({ member_kind: z.enum(['user', 'bot']), member_id: z.string(), added_at: TimestampSchema })),
});

export const MessagePageSchema = z.object({
  target: z.object({ kind: z.enum(['channel', 'bot', 'chat', 'user']), id: z.uuid(), unique_name: z.string() }),
  data: z.array(MessageViewSchema),
  next_cursor: z.string().nullable().describe('pass as ?before= for the next page'),
});
