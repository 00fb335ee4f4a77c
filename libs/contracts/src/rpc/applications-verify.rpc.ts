import { z } from 'zod';

export const ApplicationsVerifyRequestSchema = z.object({
  appId: z.string().max(64),
  appkey: z.string().max(512),
});

/** The owner key manages an application; it is never shown to the application's users. */
export const ApplicationsVerifyOwnerRequestSchema = z.object({
  appId: z.string().max(64),
  ownerKey: z.string().max(512),
});

/** Both checks answer with the same application view. */
export const ApplicationsVerifyReplySchema = z.discriminatedUnion('valid', [
  z.object({
    valid: z.literal(true),
    application: z.object({
      id: z.uuid(),
      name: z.string(),
      ownerEmail: z.string(),
      handlerUrls: z.object({ incoming: z.string().optional(), function: z.string().optional() }),
    }),
  }),
  z.object({ valid: z.literal(false) }),
]);
export type ApplicationsVerifyReply = z.infer<typeof ApplicationsVerifyReplySchema>;
