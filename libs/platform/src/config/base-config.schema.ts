import ipaddr from 'ipaddr.js';
import { Cron } from 'croner';
import { z } from 'zod';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const cronPattern = z.string().refine((pattern) => {
  try {
    new Cron(pattern, { paused: true, timezone: 'UTC' }).stop();
    return true;
  } catch {
    return false;
  }
}, 'must be a cron pattern such as "17 * * * *"');

/**
 * `OUTBOUND_ALLOWED_CIDRS`: private ranges outbound requests may reach, comma-separated
 * (`127.0.0.0/8,::1/128`). Each entry must parse as a CIDR, so a typo stops the service at boot.
 */
export const cidrListSchema = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean),
  )
  .refine(
    (list) =>
      list.every((c) => {
        try {
          ipaddr.parseCIDR(c);
          return true;
        } catch {
          return false;
        }
      }),
    'must be a comma-separated list of CIDRs, e.g. 127.0.0.0/8,::1/128',
  );

/** Variables every service reads. Services extend this with their own. */
export const baseConfigSchema = z.object({
  /** `production` trusts `X-Forwarded-For` from loopback and private proxies. */
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** `fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`. */
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  /** `auto`: readable single lines when stdout is a terminal, JSON otherwise; `json` or `pretty` to choose. */
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
  /** Listen address (`0.0.0.0` in containers). */
  HOST: z.string().min(1).default('127.0.0.1'),
  /** PostgreSQL; each service uses its own schema in it. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .default('postgres://postgres@127.0.0.1:5432/zapgate'),
  /** PostgreSQL connections per process. */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  /** NATS servers, comma-separated for a cluster. */
  NATS_URL: z
    .string()
    .regex(/^(nats|tls):\/\/[^,\s]+(,(nats|tls):\/\/[^,\s]+)*$/, 'must be nats:// URLs separated by commas')
    .default('nats://127.0.0.1:4222'),
  /** Prefix for every subject and stream; lets several isolated installs (or test runs) share one NATS. */
  NATS_NAMESPACE: z
    .string()
    .regex(/^[A-Za-z0-9_-]*$/, 'may hold only letters, digits, _ and -')
    .default(''),
  /** Stream replicas (3 on a NATS cluster). */
  JETSTREAM_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
  /** Request/reply and PubAck timeout; past it the caller answers 503. */
  NATS_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(2000),
  /** Larger request bodies are answered 413. */
  HTTP_BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(1024 * 1024),
  /** A request (head and body) that has not fully arrived by then is answered 408 and closed: slow-body clients hold no socket for long. */
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
  /** Nesting depth a JSON body may reach; deeper is a 400 (checked before parsing). */
  JSON_MAX_DEPTH: z.coerce.number().int().min(2).max(1000).default(64),
  /** Members (object keys plus array elements) a JSON body may hold; more is a 400. */
  JSON_MAX_MEMBERS: z.coerce.number().int().min(10).max(1_000_000).default(10_000),
  /** A consumer with events waiting that has delivered none for this long is reported stalled (/health/consumers, metrics). */
  CONSUMER_STALL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  /** After SIGTERM, exit 1 if shutdown has not finished by then; HTTP connections still open at half of it are closed. */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
  /** When the retention purge runs (cron, five fields, UTC); every replica runs it, and their deletes never collide. */
  RETENTION_SCHEDULE: cronPattern.default('17 * * * *'),
  /** Rows deleted per statement by the purge: small transactions, so no table is locked for long. */
  RETENTION_BATCH_SIZE: z.coerce.number().int().min(10).max(100_000).default(1000),
  /** Dead letters (their payloads included) are kept this long; 0 keeps them until deleted. */
  DEAD_LETTER_RETENTION_DAYS: z.coerce.number().int().min(0).max(3650).default(30),
  /** Peers whose X-Forwarded-For names the client (the gateway, a load balancer), as CIDRs; unset: loopback, plus private ranges in production. */
  TRUSTED_PROXIES: cidrListSchema.optional(),
  /** Check every JSON answer against the schema its route documents, a mismatch being a 500 (for tests and development; costs CPU). */
  VALIDATE_RESPONSES: z.stringbool().default(false),
  /** Check events this process built from validated parts against their contract before publishing them too (for tests and development; costs CPU). */
  VALIDATE_CONTRACTS: z.stringbool().default(false),
});

export type BaseConfig = z.infer<typeof baseConfigSchema>;

/** A config variable that must never be printed. */
export const secretString = (minLength: number) => z.string().min(minLength, `must be at least ${minLength} characters`);
