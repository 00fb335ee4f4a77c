import type { z } from 'zod';
import { Subjects, type EventSubject } from '../subjects';
import { WebhookReceivedV1Schema } from './webhook-received.event';

export * from './webhook-received.event';

/** Subject → payload schema. Publishing and consuming both validate against it. */
export const EventSchemas = {
  [Subjects.WebhookReceived]: WebhookReceivedV1Schema,
} as const satisfies Record<EventSubject, z.ZodType>;

export type PayloadOf<S extends EventSubject> = z.infer<(typeof EventSchemas)[S]>;
