import type { z } from 'zod';
import { Subjects, type EventSubject } from '../subjects';
import {
  ApplicationChangedV1Schema,
  OperatorKeyRevokedV1Schema,
  TokenRevokedV1Schema,
  TokenUsedV1Schema,
  UserDeactivatedV1Schema,
  UserErasedV1Schema,
} from './token-lifecycle.event';
import { OAuthConnectionFailedV1Schema, OAuthTokenRefreshedV1Schema } from './oauth.event';
import { MessageStoredV1Schema, WebhookProcessedV1Schema } from './webhook-processed.event';
import { WebhookReceivedV1Schema } from './webhook-received.event';

export * from './webhook-received.event';
export * from './token-lifecycle.event';
export * from './webhook-processed.event';
export * from './oauth.event';

/** Subject → payload schema. Publishing and consuming both validate against it. */
export const EventSchemas = {
  [Subjects.WebhookReceived]: WebhookReceivedV1Schema,
  [Subjects.TokenRevoked]: TokenRevokedV1Schema,
  [Subjects.UserDeactivated]: UserDeactivatedV1Schema,
  [Subjects.UserErased]: UserErasedV1Schema,
  [Subjects.ApplicationChanged]: ApplicationChangedV1Schema,
  [Subjects.TokenUsed]: TokenUsedV1Schema,
  [Subjects.WebhookProcessed]: WebhookProcessedV1Schema,
  [Subjects.MessageStored]: MessageStoredV1Schema,
  [Subjects.OAuthTokenRefreshed]: OAuthTokenRefreshedV1Schema,
  [Subjects.OAuthConnectionFailed]: OAuthConnectionFailedV1Schema,
  [Subjects.OperatorKeyRevoked]: OperatorKeyRevokedV1Schema,
} as const satisfies Record<EventSubject, z.ZodType>;

export type PayloadOf<S extends EventSubject> = z.infer<(typeof EventSchemas)[S]>;
