import { z } from 'zod';

/**
 * Every error a Zapgate HTTP API answers has this body, shaped like Cliq's
 * (`{"message", "code"}`) so existing clients parse it. `details` lists every
 * violation of a rejected input; `correlation_id` ties a 5xx to the server log.
 */
export const ErrorBodySchema = z.object({
  code: z.string(),
  message: z.string(),
  details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  correlation_id: z.string().optional(),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

/** HTTP headers that carry identifiers across services. */
export const Headers = {
  CorrelationId: 'x-correlation-id',
  AdminKey: 'x-admin-key',
} as const;
