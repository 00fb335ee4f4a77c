import { baseConfigSchema, cidrListSchema, encryptionKeysSchema, secretString } from '@zapgate/platform';
import { z } from 'zod';

const int = (min: number, max: number, def: number) => z.coerce.number().int().min(min).max(max).default(def);

export const oauthConfigSchema = baseConfigSchema.extend({
  /** HTTP port of oauth-refresh. */
  OAUTH_REFRESH_PORT: int(0, 65535, 3004),
  /** Operator key (X-Admin-Key): manages every connector and connection. */
  ADMIN_API_KEY: secretString(24),
  /** Seal client secrets and tokens (AES-256-GCM): `id:base64(32 bytes)[,…]`, newest first. Also keys the `state` signature. */
  ENCRYPTION_KEYS: encryptionKeysSchema,
  /** This service's base URL as browsers reach it: the default redirect URL is `{this}/api/v1/oauth/callback`. */
  PUBLIC_OAUTH_URL: z.url().default('http://127.0.0.1:3004'),
  /** Refresh this long before expiry (at most half the token's life), minus up to REFRESH_JITTER_SECONDS. */
  REFRESH_MARGIN_SECONDS: int(1, 3600, 300),
  /** Up to this much earlier still, at random, so that connections made together do not refresh together. */
  REFRESH_JITTER_SECONDS: int(0, 600, 30),
  /** How often a replica looks for connections due for refresh, and how many it refreshes at once. */
  REFRESH_SCHEDULER_INTERVAL_MS: int(50, 60_000, 1000),
  /** Refreshes one replica runs at once. */
  REFRESH_CONCURRENCY: int(1, 1000, 32),
  /** A refresh claim is a lease: another replica may take the connection over only after this. */
  REFRESH_LEASE_SECONDS: int(5, 600, 60),
  /** Deadline of one call to an OAuth provider. */
  PROVIDER_TIMEOUT_MS: int(100, 60_000, 10_000),
  /** An authorization `state` is good for this long, once. */
  OAUTH_STATE_TTL_SECONDS: int(60, 3600, 600),
  /** How long a positive appkey check is reused when no application-changed event arrives. */
  TOKEN_CACHE_TTL_MS: int(0, 60_000, 1000),
  /** How often uses answered from the token cache are reported to token-service (its usage counts stay exact). */
  TOKEN_USAGE_REPORT_MS: int(100, 60_000, 2000),
  /** Private and loopback provider hosts are refused unless listed (e.g. a local test provider). */
  OUTBOUND_ALLOWED_CIDRS: cidrListSchema.default([]),
});

export type OAuthConfig = z.infer<typeof oauthConfigSchema>;
export const OAUTH_SECRETS = ['ADMIN_API_KEY', 'ENCRYPTION_KEYS'] as const;
