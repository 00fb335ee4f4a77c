import type { z } from 'zod';
import { Subjects, type EventSubject } from '../subjects';
import { TokenRevokedV1Schema, UserDeactivatedV1Schema } from './token-lifecycle.event';
import { WebhookReceivedV1Schema } from './webhook-received.event';

export * from './webhook-received.event';
export * from './token-lifecycle.event';

/** Subject → payload schema. Publishing and consuming both validate against it. */
export const EventSchemas = {
  [Subjects.WebhookReceived]: WebhookReceivedV1Schema,
  [Subjects.TokenRevoked]: TokenRevokedV1Schema,
  [Subjects.UserDeactivated]: UserDeactivatedV1Schema,
} as const satisfies Record<EventSubject, z.ZodType>;

export type PayloadOf<S extends EventSubject> = z.infer<(typeof EventSchemas)[S]>;
