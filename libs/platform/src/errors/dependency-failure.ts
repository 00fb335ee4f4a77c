import { CommonCodes, CommonException } from './domain.exception';

/** PostgreSQL SQLSTATE classes and codes that mean "the database is not there right now", not "your query is wrong". */
const PG_UNAVAILABLE = /^(08|57P0[1-4]|53300)/;
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);
const POOL_MESSAGES =
  /timeout exceeded when trying to connect|Connection terminated|connection is closed|Client has encountered a connection error|the database system is (shutting down|starting up)/i;

/**
 * Whether an error means a dependency (PostgreSQL, mostly) is unreachable or
 * going away: the request can succeed later and deserves a 503 with
 * Retry-After, not a 500 that says Zapgate is broken.
 */
export function isDependencyFailure(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (PG_UNAVAILABLE.test(code) || NETWORK_CODES.has(code))) return true;
  return typeof message === 'string' && POOL_MESSAGES.test(message);
}

/**
 * PostgreSQL's "data exception" class (SQLSTATE 22xxx): a NUL byte in text, a
 * malformed uuid or number, a value too long. Reaching the database with such
 * a value is a missing check, but the value came from the request: a 400.
 */
export function isRejectedValue(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code) && (err as { severity?: unknown }).severity !== undefined;
}

/**
 * A dependency that is down, seen directly (a failure of PostgreSQL or the
 * network) or reported by another service over NATS (`service_unavailable`):
 * it fails every request and event alike, so nobody is told it is their fault.
 */
export function isOutage(err: unknown): boolean {
  return isDependencyFailure(err) || (err instanceof CommonException && err.code === CommonCodes.DependencyUnavailable);
}
