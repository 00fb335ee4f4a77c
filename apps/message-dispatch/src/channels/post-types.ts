import type { MessageFacets } from './message-facets';
import type { TargetRef } from './target';

export interface PostInput {
  eventId: string;
  target: TargetRef;
  senderUserId: string;
  /** Post as this bot; it must be a participant of the target. */
  asBot?: string;
  content: Record<string, unknown> & { text?: string };
  streamSeq: number;
  receivedAt: Date;
  /** A replay of this event: if it yields the message already stored for it, nothing new is stored or delivered. */
  replayOf?: string;
  /** What subscription filters match; fixed at store time. */
  facets: MessageFacets;
}

export type PostResult =
  | { result: 'stored'; messageId: string; targetId: string; storeSeq: string; deliveries: number }
  | { result: 'repeat'; messageId: string }
  | { result: 'rejected'; code: 'target_not_found' | 'not_a_member' | 'bot_not_participant'; message: string };
