import { baseConfigSchema } from '@zapgate/platform';
import { z } from 'zod';

export const dispatchConfigSchema = baseConfigSchema.extend({
  MESSAGE_DISPATCH_PORT: z.coerce.number().int().min(0).max(65535).default(3003),
  TOKEN_CACHE_TTL_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
  /** Events handled at once by this replica. */
  DISPATCH_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
});

export type DispatchConfig = z.infer<typeof dispatchConfigSchema>;
