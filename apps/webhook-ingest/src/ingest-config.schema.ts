import { baseConfigSchema } from '@zapgate/platform';
import { z } from 'zod';

export const ingestConfigSchema = baseConfigSchema.extend({
  WEBHOOK_INGEST_PORT: z.coerce.number().int().min(0).max(65535).default(3002),
  /** How long a positive token verification is reused; bounds how late a revocation takes effect. */
  TOKEN_CACHE_TTL_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
});

export type IngestConfig = z.infer<typeof ingestConfigSchema>;
