import { UniqueNameSchema } from '@zapgate/contracts';
import { TimestampSchema } from '@zapgate/platform';
import { z } from 'zod';
import type { DeliveryRow } from './deliveries.service';
import { CustomHeadersSchema, EndpointAuthSchema } from './endpoint-credentials';
import { filterView, SubscriptionFilterSchema } from './subscription-filter';
import { shownUrl, type SubscriptionRow } from './subscriptions.service';

/** Request schemas and answer views of the subscription routes, users' and operators' alike. */
const TargetSchema = z.object({ kind: z.enum(['channelsbyname', 'chats', 'bots']), name: z.string().min(1).max(100) });
const MAX_TARGETS = 20;
export const HttpUrl = z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }).max(2000);
const Kind = z.enum(['standard-webhooks', 'slack', 'mattermost', 'cliq']);
export const Limits = {
  rate_limit_per_second: z.number().int().min(1).max(10_000).nullable().optional(),
  max_concurrency: z.number().int().min(1).max(100).optional(),
  ordering: z.enum(['best_effort', 'strict']).optional(),
  filter: SubscriptionFilterSchema.nullable().optional(),
  headers: CustomHeadersSchema.nullable().optional(),
  auth: EndpointAuthSchema.nullable().optional(),
};
export const CreateSchema = z
  .object({
    target: TargetSchema.optional(),
    targets: z
      .array(TargetSchema)
      .min(1)
      .max(MAX_TARGETS)
      .optional()
      .describe('several targets instead of one; the first decides who manages the subscription'),
    kind: Kind,
    url: HttpUrl,
    description: z.string().max(500).optional(),
    cliq: z.object({ channel: UniqueNameSchema.optional(), zapikey: z.string().min(10).max(200) }).optional(),
    ...Limits,
  })
  .strict()
  .refine((b) => (b.target === undefined) !== (b.targets === undefined), { message: 'name either target or targets', path: ['target'] });
export const PatchSchema = z
  .object({
    url: HttpUrl.optional(),
    description: z.string().max(500).nullable().optional(),
    cliq: z.object({ zapikey: z.string().min(10).max(200) }).optional(),
    ...Limits,
  })
  .strict();
export const ListDeliveriesQuery = z.looseObject({
  status: z.enum(['pending', 'succeeded', 'dead']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z
    .string()
    .regex(/^[^_]+_[0-9a-f-]{36}$/, 'must be a next_cursor value')
    .transform((c) => ({ at: c.split('_')[0], id: c.split('_')[1] }))
    .optional(),
});
export const RetrySinceSchema = z.object({ since: z.iso.datetime({ offset: true }) });

export const SubscriptionViewSchema = z
  .object({
    id: z.uuid(),
    target_id: z.uuid().describe('the first target: its members manage the subscription'),
    target_ids: z.array(z.uuid()),
    kind: Kind,
    url: z.string().describe('for cliq, the URL without its zapikey'),
    description: z.string().nullable(),
    cliq_channel: z.string().nullable(),
    rate_limit_per_second: z.number().int().nullable(),
    max_concurrency: z.number().int(),
    ordering: z.enum(['best_effort', 'strict']),
    filter: SubscriptionFilterSchema.nullable(),
    header_names: z.array(z.string()).describe('the custom headers set (never their values)'),
    auth_type: z.string().nullable().describe('the endpoint auth set (never its credentials)'),
    status: z.enum(['active', 'disabled']),
    disabled_reason: z.string().nullable(),
    disabled_at: TimestampSchema.nullable(),
    failing_since: TimestampSchema.nullable(),
    created_at: TimestampSchema,
  })
  .meta({ id: 'Subscription' });
export const CreatedSubscriptionSchema = SubscriptionViewSchema.extend({
  secret: z.string().optional().describe('standard-webhooks: the whsec_ signing secret (also readable later at …/secret)'),
});
export const DeliveryViewSchema = z
  .object({
    id: z.uuid(),
    subscription_id: z.uuid(),
    message_id: z.string(),
    status: z.enum(['pending', 'succeeded', 'dead']),
    attempts: z.number().int(),
    next_attempt_at: TimestampSchema.nullable(),
    last_status_code: z.number().int().nullable(),
    last_error: z.string().nullable(),
    created_at: TimestampSchema,
    completed_at: TimestampSchema.nullable(),
  })
  .meta({ id: 'Delivery' });
/** One delivery with its attempt log: here `attempts` is the list of attempts, oldest first. */
export const DeliveryDetailSchema = DeliveryViewSchema.extend({
  attempts: z.array(
    z.object({
      attempt: z.number().int(),
      started_at: TimestampSchema,
      duration_ms: z.number().int().nullable(),
      status_code: z.number().int().nullable(),
      error: z.string().nullable(),
      response_body: z.string().nullable().describe('the start of what the endpoint answered'),
    }),
  ),
});
export const SigningSecretSchema = z.object({ id: z.uuid(), secret: z.string().nullable() });
export const RotatedSecretSchema = SigningSecretSchema.extend({ previous_valid_for_seconds: z.number().int() });
export const RequeuedSchema = z.object({ requeued: z.number().int() });

export const subscriptionView = (s: SubscriptionRow) => ({
  id: s.id,
  target_id: s.target_id,
  target_ids: s.target_ids ?? [s.target_id],
  kind: s.kind,
  url: shownUrl(s.kind, s.url),
  description: s.description,
  cliq_channel: s.cliq_channel,
  rate_limit_per_second: s.rate_limit_per_second,
  max_concurrency: s.max_concurrency,
  ordering: s.ordering,
  filter: filterView(s),
  // What is set, never the values: they are sealed, and a member of the target is not necessarily its owner.
  header_names: s.header_names,
  auth_type: s.auth_type,
  status: s.status,
  disabled_reason: s.disabled_reason,
  disabled_at: s.disabled_at,
  failing_since: s.failing_since,
  created_at: s.created_at,
});

export const deliveryView = (d: DeliveryRow) => ({
  id: d.id,
  subscription_id: d.subscription_id,
  message_id: d.message_id,
  status: d.status,
  attempts: d.attempts,
  next_attempt_at: d.status === 'pending' ? d.next_attempt_at : null,
  last_status_code: d.last_status_code,
  last_error: d.last_error,
  created_at: d.created_at,
  completed_at: d.completed_at,
});
