import { baseConfigSchema, cidrListSchema, secretString } from '@zapgate/platform';
import { z } from 'zod';

const count = (min: number, max: number, def: number) => z.coerce.number().int().min(min).max(max).default(def);

export const tokenConfigSchema = baseConfigSchema.extend({
  TOKEN_SERVICE_PORT: z.coerce.number().int().min(0).max(65535).default(3001),
  /** Operator API key (X-Admin-Key). */
  ADMIN_API_KEY: secretString(24),
  /** HMAC key for stored token, appkey and session hashes; changing it invalidates all of them. */
  TOKEN_PEPPER: secretString(32),
  /** Personal webhook tokens (no application) per user; Cliq's figure is 5. */
  MAX_WEBHOOK_TOKENS_PER_USER: count(1, 1000, 5),
  MAX_AUTHTOKENS_PER_USER: count(1, 1000, 5),
  SESSION_TTL_SECONDS: count(60, 7 * 24 * 3600, 3600),
  SIGNIN_MAX_FAILURES_PER_ACCOUNT: count(1, 1000, 5),
  SIGNIN_MAX_FAILURES_PER_IP: count(1, 100_000, 20),
  SIGNIN_WINDOW_SECONDS: count(1, 86_400, 900),
  SIGNIN_LOCK_SECONDS: count(1, 86_400, 900),
  /** The seed's GET form puts the password in the URL (and so in proxy logs); off unless an operator needs it. */
  LEGACY_AUTHTOKEN_GET_ENABLED: z.stringbool().default(false),
  USAGE_FLUSH_INTERVAL_MS: count(50, 60_000, 5000),
  USAGE_RETENTION_DAYS: count(1, 3650, 90),
  MAX_ROTATION_GRACE_SECONDS: count(0, 30 * 86_400, 7 * 86_400),
  /** Base URL of webhook-ingest as callers see it; used in the incoming-webhook URL shown with a new token. */
  PUBLIC_INGEST_URL: z.url().default('http://127.0.0.1:3002'),
  /** Base URL of token-service as users' browsers see it; used in the self-service links shown with a new token. */
  PUBLIC_TOKEN_URL: z.url().default('http://127.0.0.1:3001'),
  /** How long a self-service link (a button user's view of their own tokens) works. */
  SELF_SERVICE_LINK_TTL_SECONDS: count(60, 30 * 86_400, 86_400),
  /** Private ranges an application's handler URLs may point at (they are refused when registered otherwise). */
  OUTBOUND_ALLOWED_CIDRS: cidrListSchema.default([]),
});

export type TokenConfig = z.infer<typeof tokenConfigSchema>;
export const TOKEN_SECRETS = ['ADMIN_API_KEY', 'TOKEN_PEPPER'] as const;
