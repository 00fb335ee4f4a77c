import { TimestampSchema } from '@zapgate/platform';
import { z } from 'zod';
import type { TokenEntity } from './token.entity';
import type { RotatedToken } from './tokens.service';

export const TokenViewSchema = z
  .object({
    id: z.uuid(),
    kind: z.enum(['zapikey', 'authtoken']),
    name: z.string(),
    scopes: z.array(z.string()),
    application_id: z.uuid().nullable(),
    prefix: z.string().describe('the first characters of the secret, to recognise it'),
    last4: z.string(),
    status: z.enum(['active', 'revoked', 'expired']),
    created_at: TimestampSchema,
    expires_at: TimestampSchema.nullable(),
    last_used_at: TimestampSchema.nullable(),
    last_used_ip: z.string().nullable(),
    revoked_at: TimestampSchema.nullable(),
    revoked_reason: z.string().nullable(),
    previous_token_id: z.uuid().nullable().describe('the token this one replaced by rotation'),
  })
  .meta({ id: 'Token' });
export type TokenView = z.infer<typeof TokenViewSchema>;

/** A token just made: its metadata and the secret, shown this once. */
export const MintedTokenSchema = TokenViewSchema.extend({ token: z.string().describe('the secret; shown only in this answer') });

export const RotatedTokenSchema = MintedTokenSchema.extend({
  previous_token_expires_at: TimestampSchema.describe('when the replaced secret stops working'),
});

export const UsageReportSchema = z
  .object({
    token_id: z.uuid(),
    from: TimestampSchema,
    to: TimestampSchema,
    total: z.number().int(),
    buckets: z.array(z.object({ hour: TimestampSchema, count: z.number().int() })).describe('one per hour, empty hours included'),
  })
  .meta({ id: 'UsageReport' });

/** A token's metadata as the API shows it; never the secret or its hash. */
export function tokenView(t: TokenEntity): TokenView {
  const now = new Date();
  const status = t.revokedAt ? 'revoked' : t.expiresAt && t.expiresAt <= now ? 'expired' : 'active';
  return {
    id: t.id,
    kind: t.kind,
    name: t.name,
    scopes: t.scopes,
    application_id: t.applicationId,
    prefix: t.prefix,
    last4: t.last4,
    status,
    created_at: t.createdAt.toISOString(),
    expires_at: t.expiresAt?.toISOString() ?? null,
    last_used_at: t.lastUsedAt?.toISOString() ?? null,
    last_used_ip: t.lastUsedIp,
    revoked_at: t.revokedAt?.toISOString() ?? null,
    revoked_reason: t.revokedReason,
    previous_token_id: t.previousTokenId,
  };
}

/** A rotation's answer: the new token's metadata, its secret (this once), and when the old one stops. */
export function rotatedView(rotated: RotatedToken): z.infer<typeof RotatedTokenSchema> {
  return { ...tokenView(rotated.token), token: rotated.secret, previous_token_expires_at: rotated.previousExpiresAt.toISOString() };
}
