import { CHAT_ID_PATTERN, UNIQUE_NAME_PATTERN, type WebhookReceivedV1 } from '@zapgate/contracts';
import type { TargetRef } from '../channels/target';
import type { PostTo } from '../handlers/handler-client.service';

/** The key of the line an event waits in: one target's messages are stored in stream order. */
export function partitionKey(event: WebhookReceivedV1): string {
  const t = event.target;
  return t.kind === 'chat'
    ? `chat:${t.id}`
    : t.kind === 'user'
      ? `user:${t.email}`
      : t.kind === 'application'
        ? `app:${t.id}`
        : `${t.kind}:${t.name.toLowerCase()}`;
}

/** The target a handler's `post_to` names. */
export function fromPostTo(p: PostTo): TargetRef | undefined {
  if (p.channel) return { kind: 'channel', name: p.channel };
  if (p.chat) return { kind: 'chat', name: p.chat };
  if (p.bot) return { kind: 'bot', name: p.bot };
  if (p.user) return { kind: 'user', name: p.user.toLowerCase() };
  return undefined;
}

/** Without a handler's say: a bot's own webhook goes to the bot; an application's to the target its URL names. */
export function defaultTarget(event: WebhookReceivedV1): TargetRef | undefined {
  if (event.target.kind === 'bot') return { kind: 'bot', name: event.target.name };
  const p = event.request?.parameters ?? {};
  if (p.channel && UNIQUE_NAME_PATTERN.test(p.channel)) return { kind: 'channel', name: p.channel };
  if (p.chat && CHAT_ID_PATTERN.test(p.chat)) return { kind: 'chat', name: p.chat };
  if (p.bot && UNIQUE_NAME_PATTERN.test(p.bot)) return { kind: 'bot', name: p.bot };
  return undefined;
}
