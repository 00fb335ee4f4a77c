import { z } from 'zod';

export const ApplicationsGetRequestSchema = z.object({ appId: z.uuid() });
export const ApplicationsGetReplySchema = z.discriminatedUnion('found', [
  z.object({
    found: z.literal(true),
    application: z.object({
      id: z.uuid(),
      name: z.string(),
      handlerUrls: z.object({ incoming: z.string().optional(), function: z.string().optional() }),
    }),
  }),
  z.object({ found: z.literal(false) }),
]);
export type ApplicationsGetReply = z.infer<typeof ApplicationsGetReplySchema>;

export const UsersGetRequestSchema = z.object({ userId: z.uuid() });
/** Shaped like Cliq's `user` object so handlers can read it as they would from Cliq. */
export const UserProfileSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  first_name: z.string(),
  last_name: z.string(),
  active: z.boolean(),
});
export type UserProfile = z.infer<typeof UserProfileSchema>;
export const UsersGetReplySchema = z.discriminatedUnion('found', [
  z.object({ found: z.literal(true), user: UserProfileSchema }),
  z.object({ found: z.literal(false) }),
]);
export type UsersGetReply = z.infer<typeof UsersGetReplySchema>;
