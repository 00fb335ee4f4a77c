import http from 'node:http';
import https from 'node:https';
import type { SsrfGuard } from './ssrf-guard';

export interface OutboundRequest {
  url: URL;
  method?: 'POST' | 'GET';
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

export interface OutboundResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** At most `MAX_KEPT_BODY` characters of the answer. */
  body: string;
  durationMs: number;
}

/** Why a request got no HTTP answer; a code for the record, never the URL (it may hold a key). */
export class OutboundFailure extends Error {
  constructor(
    readonly code: 'timeout' | 'refused_address' | 'connect_failed' | 'dns_failed' | 'reset' | 'error',
    message: string,
    readonly durationMs: number,
  ) {
    super(message);
  }
}

const MAX_READ_BYTES = 64 * 1024;
export const MAX_KEPT_BODY = 2000;

// Idle pooled sockets are dropped after 4 s, before common servers' 5 s keep-alive timeout closes
// them: reusing a socket the server is closing fails the request with ECONNRESET.
const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 256, timeout: 4000 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 256, timeout: 4000 }),
};

/**
 * One request (POST unless told) with a deadline that covers connecting, sending and reading the
 * whole answer (a receiver that trickles its body is cut off too). Redirects
 * are not followed: a 3xx is an answer like any other, and a failure.
 */
export function postOutbound(guard: SsrfGuard, req: OutboundRequest): Promise<OutboundResponse> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  return new Promise<OutboundResponse>((resolve, reject) => {
    try {
      guard.checkLiteral(req.url);
    } catch (err) {
      return reject(new OutboundFailure('refused_address', (err as Error).message, 0));
    }
    const client = req.url.protocol === 'https:' ? https : http;
    const body = Buffer.from(req.body);
    const request = client.request(req.url, {
      method: req.method ?? 'POST',
      agent: agents[req.url.protocol as 'http:' | 'https:'],
      lookup: guard.lookup,
      headers: { 'content-type': 'application/json', 'content-length': String(body.length), 'user-agent': 'Zapgate-Webhooks/1.0', ...req.headers },
    });
    const timer = setTimeout(() => request.destroy(new OutboundFailure('timeout', `no complete answer within ${req.timeoutMs} ms`, elapsed())), req.timeoutMs);
    request.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size < MAX_READ_BYTES) chunks.push(chunk);
        size += chunk.length;
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8').slice(0, MAX_KEPT_BODY),
          durationMs: elapsed(),
        });
      });
      res.on('error', () => undefined); // the request's error handler reports it
    });
    request.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(err instanceof OutboundFailure ? err : classify(err, elapsed()));
    });
    request.end(body);
  });
}

const FAILURE_CODES: Record<string, { code: OutboundFailure['code']; what: string }> = {
  ECONNREFUSED: { code: 'connect_failed', what: 'connection failed' },
  EHOSTUNREACH: { code: 'connect_failed', what: 'connection failed' },
  ENETUNREACH: { code: 'connect_failed', what: 'connection failed' },
  ENOTFOUND: { code: 'dns_failed', what: 'host not found' },
  EAI_AGAIN: { code: 'dns_failed', what: 'host not found' },
  ECONNRESET: { code: 'reset', what: 'connection reset' },
  EPIPE: { code: 'reset', what: 'connection reset' },
};

function classify(err: NodeJS.ErrnoException, durationMs: number): OutboundFailure {
  if (err.name === 'OutboundAddressRefused') return new OutboundFailure('refused_address', err.message, durationMs);
  const known = err.code ? FAILURE_CODES[err.code] : undefined;
  if (known) return new OutboundFailure(known.code, `${known.what} (${err.code})`, durationMs);
  return new OutboundFailure('error', err.code ? `request failed (${err.code})` : 'request failed', durationMs);
}

/** Seconds or an HTTP date, as milliseconds from now; undefined if absent or unreadable. */
export function retryAfterMs(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
