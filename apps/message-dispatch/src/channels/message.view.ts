import type { MessageEntity } from './message.entity';

/** A stored message as the API shows it. */
export const messageView = (m: MessageEntity) => ({
  id: m.id,
  event_id: m.eventId,
  sender: m.senderBot ? { type: 'bot', name: m.senderBot, posted_by: m.senderUserId } : m.senderUserId ? { type: 'user', id: m.senderUserId } : null,
  time: m.receivedAt.toISOString(),
  content: m.content,
});
