import { baseConfigSchema, cidrListSchema } from '@zapgate/platform';
import { z } from 'zod';

const Upstream = z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }).transform((u) => u.replace(/\/$/, ''));

/** What the gateway reads; the log and listen variables are the services' own. */
export const gatewayConfigSchema = baseConfigSchema.pick({ NODE_ENV: true, LOG_LEVEL: true, LOG_FORMAT: true, HOST: true, SHUTDOWN_GRACE_MS: true }).extend({
  /** The one public origin: APIs, console (/console) and the merged API docs (/docs). */
  GATEWAY_PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /** Where token-service answers, as the gateway reaches it. */
  TOKEN_SERVICE_URL: Upstream.default('http://127.0.0.1:3001'),
  /** Where webhook-ingest answers. */
  WEBHOOK_INGEST_URL: Upstream.default('http://127.0.0.1:3002'),
  /** Where message-dispatch answers. */
  MESSAGE_DISPATCH_URL: Upstream.default('http://127.0.0.1:3003'),
  /** Where oauth-refresh answers. */
  OAUTH_REFRESH_URL: Upstream.default('http://127.0.0.1:3004'),
  /** Peers (a load balancer in front) whose X-Forwarded-For is kept and extended; anyone else's is replaced by their own address. CIDRs, comma-separated. */
  GATEWAY_TRUSTED_PROXIES: cidrListSchema.default([]),
  /** Where the console's built files are; unset: apps/console/dist beside the gateway. */
  GATEWAY_CONSOLE_DIR: z.string().min(1).optional(),
  /** A request to a service that has not answered its headers by then is a 504. Streams (SSE) stay open as long as they send. */
  GATEWAY_UPSTREAM_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
});

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
export const GATEWAY_SECRETS: readonly string[] = [];
