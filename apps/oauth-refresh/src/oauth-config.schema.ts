import { baseConfigSchema } from '@zapgate/platform';
import { z } from 'zod';

export const oauthConfigSchema = baseConfigSchema.extend({
  OAUTH_REFRESH_PORT: z.coerce.number().int().min(0).max(65535).default(3004),
});

export type OAuthConfig = z.infer<typeof oauthConfigSchema>;
