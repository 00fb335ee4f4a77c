import { baseConfigSchema, cidrListSchema, secretString } from '@zapgate/platform';
import { z } from 'zod';

const count = (min: number, max: number, def: number) => z.coerce.number().int().min(min).max(max).default(def);

export const tokenConfigSchema = baseConfigSchema.extend({
  /** HTTP port of token-service. */
  TOKEN_SERVICE_PORT: z.coerce.number().int().min(0).max(65535).default(3001),
  /** Operator API key (X-Admin-Key). */
  ADMIN_API_KEY: secretString(24),
  /** HMAC key for stored token, appkey and session hashes; changing it invalidates all of them. */
  TOKEN_PEPPER: secretString(32),
  /** Personal webhook tokens (no application) per user; Cliq's figure is 5. */
  MAX_WEBHOOK_TOKENS_PER_USER: count(1, 1000, 5),
  /** Active legacy authtokens per user. */
  MAX_AUTHTOKENS_PER_USER: count(1, 1000, 5),
  /** How long a management session (e-mail and password sign-in) lasts. */
  SESSION_TTL_SECONDS: count(60, 7 * 24 * 3600, 3600),
  /** Failed sign-ins for one account within the window before it is locked. */
  SIGNIN_MAX_FAILURES_PER_ACCOUNT: count(1, 1000, 5),
  /** Failed sign-ins from one IP address within the window before it is locked. */
  SIGNIN_MAX_FAILURES_PER_IP: count(1, 100_000, 20),
  /** The window failed sign-ins are counted in. */
  SIGNIN_WINDOW_SECONDS: count(1, 86_400, 900),
  /** How long a locked account or IP address stays locked. */
  SIGNIN_LOCK_SECONDS: count(1, 86_400, 900),
  /** The seed's GET form puts the password in the URL (and so in proxy logs); off unless an operator needs it. */
  LEGACY_AUTHTOKEN_GET_ENABLED: z.stringbool().default(false),
  /** How often counted token uses are written to PostgreSQL. */
  USAGE_FLUSH_INTERVAL_MS: count(50, 60_000, 5000),
  /** Hourly usage counts are kept this long (the usage statistics reach back as far). */
  USAGE_RETENTION_DAYS: count(1, 3650, 90),
  /** Longest grace period a token rotation may ask for. */
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
