import type { ErrorBody } from '@zapgate/contracts';

export interface ErrorDetail {
  path: string;
  message: string;
}

/**
 * Base of every typed error a service throws on purpose. Subclasses fix the
 * code enum and the code → HTTP status table; the one exception filter turns
 * them into the public error body.
 */
export abstract class DomainException<Code extends string = string> extends Error {
  abstract readonly httpStatus: number;
  /** Extra response headers (e.g. Retry-After). */
  readonly headers: Record<string, string> = {};

  constructor(
    readonly code: Code,
    message: string,
    readonly details?: ErrorDetail[],
  ) {
    super(message);
    this.name = new.target.name;
  }

  toBody(): ErrorBody {
    return { code: this.code, message: this.message, ...(this.details?.length ? { details: this.details } : {}) };
  }
}

/** Errors every service can raise: bad input, missing auth, a dependency down. */
export const CommonCodes = {
  InvalidParameters: 'invalid_parameters',
  /** Malformed JSON, or JSON past the nesting and size bounds. */
  InvalidJson: 'invalid_json',
  /** A string holds NUL or a lone surrogate, which the store cannot keep. */
  InvalidCharacters: 'invalid_characters',
  OutboundUrlRefused: 'outbound_url_refused',
  Unauthorized: 'unauthorized',
  Forbidden: 'access_denied',
  /** The token is valid but was not granted the scope the route needs. */
  InsufficientScope: 'insufficient_scope',
  NotFound: 'not_found',
  Conflict: 'conflict',
  RateLimited: 'rate_limit_exceeded',
  DependencyUnavailable: 'service_unavailable',
} as const;
type CommonCode = (typeof CommonCodes)[keyof typeof CommonCodes];

const COMMON_STATUS: Record<CommonCode, number> = {
  invalid_parameters: 400,
  invalid_json: 400,
  invalid_characters: 400,
  outbound_url_refused: 400,
  unauthorized: 401,
  access_denied: 403,
  insufficient_scope: 403,
  not_found: 404,
  conflict: 409,
  rate_limit_exceeded: 429,
  service_unavailable: 503,
};

export class CommonException extends DomainException<CommonCode> {
  get httpStatus(): number {
    return COMMON_STATUS[this.code];
  }

  static invalid(details: ErrorDetail[], message = 'The request has invalid parameters.'): CommonException {
    return new CommonException(CommonCodes.InvalidParameters, message, details);
  }

  static unavailable(what: string, retryAfterSeconds = 5): CommonException {
    const e = new CommonException(CommonCodes.DependencyUnavailable, `${what} is unavailable; retry later.`);
    e.headers['retry-after'] = String(retryAfterSeconds);
    return e;
  }
}
