import { baseConfigSchema, secretString } from '@zapgate/platform';
import { z } from 'zod';

export const tokenConfigSchema = baseConfigSchema.extend({
  TOKEN_SERVICE_PORT: z.coerce.number().int().min(0).max(65535).default(3001),
  /** Operator API key (X-Admin-Key). */
  ADMIN_API_KEY: secretString(24),
  /** HMAC key for stored token hashes; changing it invalidates every token. */
  TOKEN_PEPPER: secretString(32),
});

export type TokenConfig = z.infer<typeof tokenConfigSchema>;
export const TOKEN_SECRETS = ['ADMIN_API_KEY', 'TOKEN_PEPPER'] as const;
