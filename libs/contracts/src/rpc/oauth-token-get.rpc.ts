import { z } from 'zod';

export const OAuthTokenGetRequestSchema = z.object({ connectionId: z.uuid() });
export const OAuthTokenGetReplySchema = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    accessToken: z.string(),
    tokenType: z.string(),
    expiresAt: z.iso.datetime().nullable(),
    /** Zoho: the API host this user's data centre serves (`api_domain`). */
    apiDomain: z.string().nullable(),
    scope: z.string().nullable(),
  }),
  z.object({
    ok: z.literal(false),
    reason: z.enum(['not_found', 'reauth_required', 'revoked', 'unavailable', 'budget_exhausted']),
    message: z.string(),
  }),
]);
export type OAuthTokenGetReply = z.infer<typeof OAuthTokenGetReplySchema>;
