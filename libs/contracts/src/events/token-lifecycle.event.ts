import { z } from 'zod';

export const TokenRevokedV1Schema = z
  .object({
    tokenId: z.uuid(),
    userId: z.uuid(),
    revokedAt: z.iso.datetime(),
    reason: z.enum(['deleted', 'rotated', 'user_deactivated', 'legacy_delete']),
  })
  .loose();
export type TokenRevokedV1 = z.infer<typeof TokenRevokedV1Schema>;

export const UserDeactivatedV1Schema = z
  .object({
    userId: z.uuid(),
    deactivatedAt: z.iso.datetime(),
  })
  .loose();
export type UserDeactivatedV1 = z.infer<typeof UserDeactivatedV1Schema>;

/** An application's appkey or settings changed: verifiers drop their cached answers for it at once. */
export const ApplicationChangedV1Schema = z
  .object({
    appId: z.uuid(),
    change: z.enum(['appkey_rotated', 'updated']),
    changedAt: z.iso.datetime(),
  })
  .loose();
export type ApplicationChangedV1 = z.infer<typeof ApplicationChangedV1Schema>;
