import { baseConfigSchema, encryptionKeysSchema, secretString } from '@zapgate/platform';
import { z } from 'zod';

const int = (min: number, max: number, def: number) => z.coerce.number().int().min(min).max(max).default(def);

export const ingestConfigSchema = baseConfigSchema.extend({
  /** HTTP port of webhook-ingest. */
  WEBHOOK_INGEST_PORT: int(0, 65535, 3002),
  /** How long a positive token verification is reused when no revocation event arrives. */
  TOKEN_CACHE_TTL_MS: int(0, 60_000, 1000),
  /** How often uses answered from the token cache are reported to token-service (its usage counts stay exact). */
  TOKEN_USAGE_REPORT_MS: int(100, 60_000, 2000),
  /** Operator key for the event API and sender-verification settings. */
  ADMIN_API_KEY: secretString(24),
  /** Keys that seal stored signing secrets: `id:base64(32 bytes)[,…]`, newest first. */
  ENCRYPTION_KEYS: encryptionKeysSchema,
  /** Posts per user per minute (Cliq: 50). */
  INGEST_RATE_LIMIT_PER_MINUTE: int(1, 1_000_000, 50),
  /** How long a user who went over the per-minute limit is locked out (Cliq: 10 min). */
  INGEST_RATE_LIMIT_LOCK_SECONDS: int(0, 86_400, 600),
  /** Requests per source IP per minute, checked before any token lookup. */
  INGEST_IP_FLOOD_PER_MINUTE: int(1, 10_000_000, 6000),
  /** How long a sender's idempotency key maps to its first event. */
  DEDUP_WINDOW_HOURS: int(1, 24 * 90, 24),
  /** Standard Webhooks timestamp tolerance. */
  SIGNATURE_TOLERANCE_SECONDS: int(1, 3600, 300),
  /** Events the event log holds in flight; they are written in batches (group commit), so this bounds the batch size. */
  EVENT_LOG_CONCURRENCY: int(1, 2048, 512),
  /**
   * `on`: this process also runs the event-log projection (the event and outcome consumers).
   * `off`: it only serves requests, and another webhook-ingest process with `on` keeps the log;
   * the consumers are durable, so the log catches up whenever that process runs.
   */
  INGEST_PROJECTIONS: z.enum(['on', 'off']).default('on'),
  /** Raw request bodies in the event log are kept this long (the event record stays; it can no longer be replayed); 0: until the event goes. */
  RAW_BODY_RETENTION_DAYS: int(0, 3650, 30),
  /** Event records with their outcomes are kept this long; 0: forever. */
  EVENT_RETENTION_DAYS: int(0, 3650, 90),
});

export type IngestConfig = z.infer<typeof ingestConfigSchema>;
export const INGEST_SECRETS = ['ADMIN_API_KEY', 'ENCRYPTION_KEYS'] as const;
