import { z } from 'zod';

export const TokensVerifyRequestSchema = z.object({
  token: z.string().min(1).max(512),
  /** Where the token was presented; lets token-service count usage per source address. */
  ip: z.string().max(64).optional(),
});
export type TokensVerifyRequest = z.infer<typeof TokensVerifyRequestSchema>;

export const TokensVerifyReplySchema = z.discriminatedUnion('active', [
  z.object({
    active: z.literal(true),
    tokenId: z.uuid(),
    userId: z.uuid(),
    appId: z.uuid().nullable(),
    scopes: z.array(z.string()),
  }),
  z.object({ active: z.literal(false) }),
]);
export type TokensVerifyReply = z.infer<typeof TokensVerifyReplySchema>;
