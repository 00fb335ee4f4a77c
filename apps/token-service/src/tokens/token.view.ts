import type { TokenEntity } from './token.entity';
import type { RotatedToken } from './tokens.service';

/** A token's metadata as the API shows it; never the secret or its hash. */
export function tokenView(t: TokenEntity) {
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
export function rotatedView(rotated: RotatedToken) {
  return { ...tokenView(rotated.token), token: rotated.secret, previous_token_expires_at: rotated.previousExpiresAt.toISOString() };
}
