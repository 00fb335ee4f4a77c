import { z } from 'zod';

/**
 * Zapgate's own events, sent to the operators' endpoints (operational
 * webhooks) as Standard Webhooks: `{"type", "timestamp", "data"}`, signed,
 * retried and dead-lettered like any delivery. `data` fields are snake_case,
 * as in the HTTP API; new fields may appear, none is removed within a type.
 */
export const OperationalEventSchemas = {
  'delivery.exhausted': z.object({
    delivery_id: z.uuid(),
    subscription_id: z.uuid(),
    message_id: z.uuid(),
    target: z.object({ kind: z.string(), name: z.string() }),
    attempts: z.number().int(),
    last_status_code: z.number().int().nullable(),
    last_error: z.string().nullable(),
  }),
  'subscription.disabled': z.object({ subscription_id: z.uuid(), target_id: z.uuid(), url: z.string(), reason: z.string(), disabled_at: z.iso.datetime() }),
  'token.revoked': z.object({ token_id: z.uuid(), user_id: z.uuid(), reason: z.string(), revoked_at: z.iso.datetime() }),
  'user.deactivated': z.object({ user_id: z.uuid(), deactivated_at: z.iso.datetime() }),
  'connection.reauth_required': z.object({
    connection_id: z.uuid(),
    connector_id: z.uuid(),
    user: z.string(),
    status: z.enum(['reauth_required', 'revoked']),
    error: z.object({ code: z.string(), message: z.string() }),
    failed_at: z.iso.datetime(),
  }),
} as const;

export type OperationalEventType = keyof typeof OperationalEventSchemas;
export const OperationalEventTypes = Object.keys(OperationalEventSchemas) as OperationalEventType[];
export type OperationalEventData<T extends OperationalEventType> = z.infer<(typeof OperationalEventSchemas)[T]>;
