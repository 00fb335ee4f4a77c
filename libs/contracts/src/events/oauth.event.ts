import { z } from 'zod';

export const OAuthTokenRefreshedV1Schema = z
  .object({
    connectionId: z.uuid(),
    connectorId: z.uuid(),
    userRef: z.string(),
    /** Counts refreshes of this connection; the write that made it was fenced on the one before. */
    generation: z.number().int().min(1),
    refreshedAt: z.iso.datetime(),
    expiresAt: z.iso.datetime().nullable(),
    /** How long the old token still had; negative when it had already expired. */
    secondsBeforeExpiry: z.number().nullable(),
    trigger: z.enum(['schedule', 'on_demand', 'manual']),
  })
  .loose();
export type OAuthTokenRefreshedV1 = z.infer<typeof OAuthTokenRefreshedV1Schema>;

export const OAuthConnectionFailedV1Schema = z
  .object({
    connectionId: z.uuid(),
    connectorId: z.uuid(),
    userRef: z.string(),
    failedAt: z.iso.datetime(),
    status: z.enum(['reauth_required', 'revoked']),
    /** The provider's error code (invalid_grant, invalid_code…) and description; never a token. */
    error: z.object({ code: z.string().max(100), message: z.string().max(500) }),
  })
  .loose();
export type OAuthConnectionFailedV1 = z.infer<typeof OAuthConnectionFailedV1Schema>;
