import { z } from 'zod';

export const WebhookOutcomes = ['stored', 'no_message', 'rejected', 'handler_failed', 'dead_lettered'] as const;
export type WebhookOutcome = (typeof WebhookOutcomes)[number];

/** What message-dispatch made of one received event; ingest shows it on the event. */
export const WebhookProcessedV1Schema = z
  .object({
    eventId: z.uuid(),
    processedAt: z.iso.datetime(),
    outcome: z.enum(WebhookOutcomes),
    /** Deliveries of the event to dispatch so far (1 on the first). */
    attempts: z.number().int().min(1),
    messageIds: z.array(z.uuid()).max(20).default([]),
    /** Why it was rejected or failed: a code and a sentence, never a secret. */
    error: z.object({ code: z.string().max(64), message: z.string().max(500) }).optional(),
    /** The extension handler call, when there was one. */
    handler: z.object({ status: z.number().int().optional(), durationMs: z.number().int().min(0) }).optional(),
  })
  .loose();
export type WebhookProcessedV1 = z.infer<typeof WebhookProcessedV1Schema>;

/** A stored message's place, so live readers can read what they have not seen. */
export const MessageStoredV1Schema = z
  .object({
    messageId: z.uuid(),
    targetId: z.uuid(),
    seq: z.string().regex(/^\d+$/),
  })
  .loose();
export type MessageStoredV1 = z.infer<typeof MessageStoredV1Schema>;
