import { baseConfigSchema, cidrListSchema, encryptionKeysSchema, secretString } from '@zapgate/platform';
import { z } from 'zod';

const int = (min: number, max: number, def: number) => z.coerce.number().int().min(min).max(max).default(def);

/** `5,300,1800` → seconds between attempts; the first attempt is immediate. */
const scheduleSchema = z
  .string()
  .regex(/^\s*\d+(\s*,\s*\d+)*\s*$/, 'must be a comma-separated list of seconds, e.g. 5,300,1800')
  .transform((s) => s.split(',').map((n) => Number(n.trim())))
  .refine((list) => list.length <= 30 && list.every((n) => n <= 7 * 86_400), 'at most 30 retries, each at most 7 days');

export const dispatchConfigSchema = baseConfigSchema.extend({
  /** HTTP port of message-dispatch. */
  MESSAGE_DISPATCH_PORT: int(0, 65535, 3003),
  TOKEN_CACHE_TTL_MS: int(0, 60_000, 1000),
  /** How often uses answered from the token cache are reported to token-service (its usage counts stay exact). */
  TOKEN_USAGE_REPORT_MS: int(100, 60_000, 2000),
  /** Operator key for the dead-letter API. */
  ADMIN_API_KEY: secretString(24),
  /** Keys that seal subscription secrets, stored ZAPI keys and handler secrets: `id:base64(32 bytes)[,…]`, newest first. */
  ENCRYPTION_KEYS: encryptionKeysSchema,
  /** Events handled at once by this replica (events of one target still go one after another). */
  DISPATCH_CONCURRENCY: int(1, 1024, 128),
  /**
   * How long JetStream waits for an ack before redelivering. Busy handlers
   * extend it as they go, so this bounds only how long a crashed replica's
   * events wait before another (or the restarted one) takes them.
   */
  DISPATCH_ACK_WAIT_MS: int(1000, 600_000, 30_000),
  /** Deliveries of an event whose handling keeps failing (an outage does not count) before it is dead-lettered. */
  DISPATCH_MAX_DELIVER: int(1, 100, 10),
  /** A target that does not exist yet is created on first post, with the poster as its first member. */
  CHANNEL_AUTO_CREATE: z.stringbool().default(true),
  /** Deadline of one call to an extension's handler. */
  HANDLER_TIMEOUT_MS: int(100, 60_000, 10_000),
  /** Calls of an extension's handler before its event is recorded as handler_failed. */
  HANDLER_MAX_ATTEMPTS: int(1, 20, 5),
  /** Seconds between delivery attempts (Svix's schedule: 8 attempts over about 27 h). */
  DELIVERY_RETRY_SCHEDULE: scheduleSchema.default([5, 300, 1800, 7200, 18_000, 36_000, 36_000]),
  /** Each wait is spread by ± this fraction so failed endpoints are not hit in lockstep. */
  DELIVERY_JITTER: z.coerce.number().min(0).max(0.5).default(0.2),
  /** Deadline of one outbound delivery attempt: connecting, sending and reading the whole answer. */
  DELIVERY_TIMEOUT_MS: int(100, 120_000, 15_000),
  /** Finished deliveries (succeeded or dead) and their attempts are kept this long; 0: forever. Pending ones always stay. */
  DELIVERY_ATTEMPT_RETENTION_DAYS: int(0, 3650, 30),
  /** Messages are kept this long (0, the default: forever, as a chat keeps its history); one with a pending delivery stays. */
  MESSAGE_RETENTION_DAYS: int(0, 36_500, 0),
  /** Outbound requests in flight per replica, over all subscriptions. */
  DELIVERY_CONCURRENCY: int(1, 1024, 64),
  /** How often a replica looks for due retries (new messages are sent at once). */
  DELIVERY_POLL_MS: int(10, 60_000, 500),
  /** A subscription that has failed without a success for this long is disabled (Svix: 5 days). */
  SUBSCRIPTION_DISABLE_AFTER_SECONDS: int(1, 90 * 86_400, 5 * 86_400),
  /** Private, loopback and link-local addresses are refused as outbound targets unless listed here. */
  OUTBOUND_ALLOWED_CIDRS: cidrListSchema.default([]),
});

export type DispatchConfig = z.infer<typeof dispatchConfigSchema>;
export const DISPATCH_SECRETS = ['ADMIN_API_KEY', 'ENCRYPTION_KEYS'] as const;
