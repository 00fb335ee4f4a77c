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

/** A user's data is to be deleted everywhere; the e-mail lets services find what they keep by address. */
export const UserErasedV1Schema = z
  .object({
    userId: z.uuid(),
    email: z.string().min(3).max(254),
    erasedAt: z.iso.datetime(),
  })
  .loose();
export type UserErasedV1 = z.infer<typeof UserErasedV1Schema>;

/** An application's appkey, owner key or settings changed: verifiers drop their cached answers for it at once. */
export const ApplicationChangedV1Schema = z
  .object({
    appId: z.uuid(),
    change: z.enum(['appkey_rotated', 'owner_key_rotated', 'updated']),
    changedAt: z.iso.datetime(),
  })
  .loose();
export type ApplicationChangedV1 = z.infer<typeof ApplicationChangedV1Schema>;

/**
 * Token uses a verifier answered from its cache (token-service never saw them), counted per
 * token and hour and reported every few seconds. `reporter` and `seq` name the report, so a
 * redelivered report is applied once.
 */
export const TokenUsedV1Schema = z
  .object({
    reporter: z.string().min(1).max(100),
    seq: z.number().int().min(0),
    uses: z
      .array(
        z.object({
          tokenId: z.uuid(),
          hour: z.iso.datetime(),
          count: z.number().int().min(1),
          lastUsedAt: z.iso.datetime(),
          lastIp: z.string().max(64).nullable(),
        }),
      )
      .max(10_000),
  })
  .loose();
export type TokenUsedV1 = z.infer<typeof TokenUsedV1Schema>;

/** A named operator key was revoked: verifiers drop their cached answer for it at once. */
export const OperatorKeyRevokedV1Schema = z
  .object({
    keyId: z.uuid(),
    revokedAt: z.iso.datetime(),
  })
  .loose();
export type OperatorKeyRevokedV1 = z.infer<typeof OperatorKeyRevokedV1Schema>;
