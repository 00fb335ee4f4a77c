import type { SecretBox } from '@zapgate/platform';
import { z } from 'zod';

/** Headers Zapgate sets itself, or that only the transport may: a subscription cannot override them. */
const RESERVED = new Set([
  'host',
  'content-length',
  'content-type',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'proxy-authorization',
  'authorization',
  'idempotency-key',
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
  'user-agent',
]);
const MAX_HEADERS = 20;

const HeaderName = z
  .string()
  .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/, 'must be an HTTP header name')
  .refine((n) => !RESERVED.has(n.toLowerCase()), 'is set by Zapgate (use auth for Authorization)');
// Visible ASCII, spaces and tabs: no CR or LF, so a value cannot start another header.
const HeaderValue = z
  .string()
  .max(1000)
  .regex(/^[\t\x20-\x7e]*$/, 'must be printable ASCII without line breaks');

export const CustomHeadersSchema = z
  .record(HeaderName, HeaderValue)
  .refine((h) => Object.keys(h).length <= MAX_HEADERS, `at most ${MAX_HEADERS} headers`)
  .refine((h) => new Set(Object.keys(h).map((k) => k.toLowerCase())).size === Object.keys(h).length, 'names must differ in more than case')
  .describe('Sent with every delivery; stored sealed, shown only by name.');

export const EndpointAuthSchema = z
  .discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('basic'),
      username: z
        .string()
        .min(1)
        .max(200)
        .regex(/^[^:\r\n]*$/, 'must not hold a colon or a line break'),
      password: z
        .string()
        .max(500)
        .regex(/^[^\r\n]*$/, 'must not hold a line break'),
    }),
    z.strictObject({
      type: z.literal('bearer'),
      token: z
        .string()
        .min(1)
        .max(4000)
        .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces'),
    }),
  ])
  .describe('Authorization sent with every delivery; stored sealed, shown only by type.');

export type CustomHeaders = z.infer<typeof CustomHeadersSchema>;
export type EndpointAuth = z.infer<typeof EndpointAuthSchema>;

interface EndpointCredentials {
  headers: CustomHeaders;
  auth: EndpointAuth | null;
}

export interface EndpointColumns {
  endpoint_sealed: string | null;
  header_names: string[];
  auth_type: EndpointAuth['type'] | null;
}

/**
 * The columns for a subscription's headers and auth after a change: a part
 * given replaces what was there (null clears it), a part not given stays.
 * Sealed with the subscription id as associated data, like its other secrets.
 */
export function endpointColumns(
  box: SecretBox,
  subscriptionId: string,
  current: EndpointColumns | undefined,
  change: { headers?: CustomHeaders | null; auth?: EndpointAuth | null },
): EndpointColumns {
  const was = current ? openCredentials(box, subscriptionId, current) : { headers: {}, auth: null };
  const next: EndpointCredentials = {
    headers: change.headers === undefined ? was.headers : (change.headers ?? {}),
    auth: change.auth === undefined ? was.auth : change.auth,
  };
  const names = Object.keys(next.headers);
  if (!names.length && !next.auth) return { endpoint_sealed: null, header_names: [], auth_type: null };
  return { endpoint_sealed: box.seal(JSON.stringify(next), subscriptionId), header_names: names, auth_type: next.auth?.type ?? null };
}

function openCredentials(box: SecretBox, subscriptionId: string, row: EndpointColumns): EndpointCredentials {
  return row.endpoint_sealed ? (JSON.parse(box.open(row.endpoint_sealed, subscriptionId)) as EndpointCredentials) : { headers: {}, auth: null };
}

/** The request headers a delivery carries for its subscription's endpoint (before Zapgate's own). */
export function endpointHeaders(box: SecretBox, subscriptionId: string, row: EndpointColumns): Record<string, string> {
  if (!row.endpoint_sealed) return {};
  const { headers, auth } = openCredentials(box, subscriptionId, row);
  if (!auth) return { ...headers };
  const authorization = auth.type === 'basic' ? `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` : `Bearer ${auth.token}`;
  return { ...headers, authorization };
}
