import type { CapturedRequest } from '@zapgate/contracts';
import { assertStorable } from '@zapgate/platform';
import { isUtf8 } from 'node:buffer';

/** Credentials never travel on to handlers or into the event log. */
const DROPPED_HEADERS = new Set(['authorization', 'cookie', 'x-admin-key', 'x-appkey', 'x-owner-key', 'x-gitlab-token', 'proxy-authorization']);
const DROPPED_PARAMETERS = new Set(['zapikey', 'appkey', 'authtoken']);
const MAX_HEADER_VALUE = 4096;

export interface RequestLike {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  query: unknown;
  body: unknown;
}

/**
 * The request as an incoming-webhook handler sees it: headers, parameters,
 * raw body as a string, method. The body is kept byte for byte (base64 when
 * it is not storable text); a parameter PostgreSQL cannot store (`?x=%00`)
 * is the sender's mistake and answered 400.
 */
export function captureRequest(req: RequestLike): CapturedRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || DROPPED_HEADERS.has(name)) continue;
    headers[name] = (Array.isArray(value) ? value.join(', ') : value).slice(0, MAX_HEADER_VALUE);
  }
  const parameters: Record<string, string> = {};
  for (const [name, value] of Object.entries((req.query ?? {}) as Record<string, unknown>)) {
    if (DROPPED_PARAMETERS.has(name.toLowerCase())) continue;
    parameters[name] = Array.isArray(value) ? value.join(',') : String(value);
  }
  assertStorable({ headers, parameters });
  const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  const text = isUtf8(raw) && !raw.includes(0);
  return {
    method: req.method,
    headers,
    parameters,
    contentType: headers['content-type'],
    body: raw.toString(text ? 'utf8' : 'base64'),
    ...(text ? {} : { bodyEncoding: 'base64' as const }),
  };
}
