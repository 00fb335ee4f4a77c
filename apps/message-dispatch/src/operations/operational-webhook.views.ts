import { OperationalEventTypes, type OperationalEventType } from '@zapgate/contracts';
import { z } from 'zod';
import { CustomHeadersSchema, EndpointAuthSchema } from '../outbound/endpoint-credentials';
import { HttpUrl, subscriptionView, SubscriptionViewSchema } from '../outbound/subscription.views';
import type { SubscriptionRow } from '../outbound/subscriptions.service';

/** Request schemas and the answer view of the operational-webhook routes. */
const EventTypes = z
  .array(z.enum(OperationalEventTypes as [OperationalEventType, ...OperationalEventType[]]))
  .min(1)
  .max(OperationalEventTypes.length);
const Fields = {
  description: z.string().max(500).optional(),
  event_types: EventTypes.optional().describe('the events this endpoint receives; all when absent'),
  rate_limit_per_second: z.number().int().min(1).max(10_000).nullable().optional(),
  headers: CustomHeadersSchema.optional(),
  auth: EndpointAuthSchema.optional(),
};
export const CreateSchema = z.strictObject({ url: HttpUrl, ...Fields });
export const PatchSchema = z.strictObject({
  url: HttpUrl.optional(),
  ...Fields,
  event_types: EventTypes.nullable().optional(),
  description: z.string().max(500).nullable().optional(),
  headers: CustomHeadersSchema.nullable().optional(),
  auth: EndpointAuthSchema.nullable().optional(),
});

export const EndpointSchema = SubscriptionViewSchema.omit({ target_id: true, target_ids: true, cliq_channel: true, filter: true }).extend({
  event_types: z.array(z.string()).nullable().describe('null: every operational event'),
});

export const endpointView = (s: SubscriptionRow) => {
  const { target_id: _t, target_ids: _ts, cliq_channel: _c, filter, ...rest } = subscriptionView(s);
  return { ...rest, event_types: filter?.event_types ?? null };
};
