import type { CapturedRequest } from '@zapgate/contracts';

/** Credentials never travel on to handlers or into the event log. */
const DROPPED_HEADERS = new Set(['authorization', 'cookie', 'x-admin-key', 'x-appkey', 'x-gitlab-token', 'proxy-authorization']);
const DROPPED_PARAMETERS = new Set(['zapikey', 'appkey', 'authtoken']);
const MAX_HEADER_VALUE = 4096;

export interface RequestLike {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  query: unknown;
  body: unknown;
}

/** The request as an incoming-webhook handler sees it: headers, parameters, raw body as a string, method. */
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
  return {
    method: req.method,
    headers,
    parameters,
    contentType: headers['content-type'],
    body: Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '',
  };
}
