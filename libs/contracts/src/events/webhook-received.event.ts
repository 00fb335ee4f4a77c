import { z } from 'zod';

export const MessageTargetSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('channel'), name: z.string().min(1).max(100) }),
]);
export type MessageTarget = z.infer<typeof MessageTargetSchema>;

export const WebhookReceivedV1Schema = z
  .object({
    eventId: z.uuid(),
    receivedAt: z.iso.datetime(),
    source: z.enum(['channel-post']),
    userId: z.uuid(),
    tokenId: z.uuid(),
    target: MessageTargetSchema,
    message: z.object({ text: z.string().min(1) }).loose(),
  })
  // Readers tolerate fields added later within v1.
  .loose();
export type WebhookReceivedV1 = z.infer<typeof WebhookReceivedV1Schema>;
