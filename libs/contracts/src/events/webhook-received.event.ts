import { z } from 'zod';

export const MessageTargetSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('channel'), name: z.string().min(1).max(100) }),
  z.object({ kind: z.literal('bot'), name: z.string().min(1).max(100) }),
  z.object({ kind: z.literal('chat'), id: z.string().min(1).max(100) }),
  z.object({ kind: z.literal('user'), email: z.string().min(3).max(254) }),
  z.object({ kind: z.literal('application'), id: z.uuid() }),
]);
export type MessageTarget = z.infer<typeof MessageTargetSchema>;

export const WebhookSources = ['channel-post', 'bot-message', 'chat-message', 'buddy-message', 'application-incoming', 'bot-incoming'] as const;
export type WebhookSource = (typeof WebhookSources)[number];

/** The HTTP request an incoming-webhook handler receives (Cliq: headers, parameters, body as a string, http_method). */
export const CapturedRequestSchema = z.object({
  method: z.string(),
  headers: z.record(z.string(), z.string()),
  /** Query parameters minus credentials (zapikey, appkey, authtoken). */
  parameters: z.record(z.string(), z.string()),
  contentType: z.string().optional(),
  /** The raw body exactly as received: its UTF-8 text, or base64 when `bodyEncoding` says so. */
  body: z.string(),
  /**
   * `base64` when the raw bytes are not UTF-8 text that can be stored as such
   * (invalid UTF-8, or a NUL byte): the body is then the bytes in base64, so
   * it is kept exactly as received. Absent: `body` is the text.
   */
  bodyEncoding: z.literal('base64').optional(),
});
export type CapturedRequest = z.infer<typeof CapturedRequestSchema>;

export const WebhookReceivedV1Schema = z
  .object({
    eventId: z.uuid(),
    receivedAt: z.iso.datetime(),
    source: z.enum(WebhookSources),
    userId: z.uuid(),
    tokenId: z.uuid(),
    target: MessageTargetSchema,
    /** A Cliq message to post (message endpoints); absent for incoming webhooks, which carry `request`. */
    message: z.looseObject({}).optional(),
    /** `bot_unique_name`: post as this bot, which must be a participant of the target. */
    asBot: z.string().min(1).max(100).optional(),
    appId: z.uuid().optional(),
    request: CapturedRequestSchema.optional(),
    /** Which sender's signature was checked, and the sender's event name (X-GitHub-Event, X-Gitlab-Event…). */
    sender: z.object({ scheme: z.enum(['github', 'gitlab', 'standard-webhooks']), event: z.string().optional() }).optional(),
    /** The sender's idempotency key; the event id is derived from it, so repeats share one id. */
    dedupKey: z.string().optional(),
    /** Set on a replay: the event this one repeats. */
    replayOf: z.uuid().optional(),
  })
  // Readers tolerate fields added later within v1.
  .loose();
export type WebhookReceivedV1 = z.infer<typeof WebhookReceivedV1Schema>;
