import { DomainException, type ErrorDetail } from '@zapgate/platform';

export const IngestErrorCodes = {
  InvalidJson: 'invalid_json',
  InvalidMessage: 'invalid_message',
  UnsupportedMediaType: 'unsupported_media_type',
  InvalidSignature: 'invalid_signature',
  RateLimited: 'rate_limit_exceeded',
  EventNotFound: 'event_not_found',
  /** Its raw body went after RAW_BODY_RETENTION_DAYS: there is nothing to replay. */
  BodyPurged: 'body_purged',
} as const;
export type IngestErrorCode = (typeof IngestErrorCodes)[keyof typeof IngestErrorCodes];

const STATUS: Record<IngestErrorCode, number> = {
  invalid_json: 400,
  invalid_message: 400,
  unsupported_media_type: 415,
  invalid_signature: 401,
  rate_limit_exceeded: 429,
  event_not_found: 404,
  body_purged: 409,
};

export class IngestException extends DomainException<IngestErrorCode> {
  get httpStatus(): number {
    return STATUS[this.code];
  }

  static rateLimited(retryAfterSeconds: number, scope: string): IngestException {
    const e = new IngestException(IngestErrorCodes.RateLimited, `Too many requests for this ${scope}; retry later.`);
    e.headers['retry-after'] = String(Math.max(1, Math.ceil(retryAfterSeconds)));
    return e;
  }

  static invalidMessage(details: ErrorDetail[]): IngestException {
    return new IngestException(IngestErrorCodes.InvalidMessage, 'The message is not valid.', details);
  }
}
