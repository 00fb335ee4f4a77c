import { assertStorable, DEFAULT_JSON_LIMITS, parseJsonBody, type JsonLimits } from '@zapgate/platform';
import { IngestErrorCodes, IngestException } from '../ingest/ingest.exception';

/** The media type without parameters, lower-cased (`application/json; charset=utf-8` → `application/json`). */
export function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

/**
 * The body of a message endpoint as an object: JSON, form fields, or plain
 * text (taken as the message text). Whatever the type, a body is accepted
 * only if every string in it can be stored (no NUL, no lone surrogate) and
 * JSON stays within the nesting and size bounds: a 400 that says where.
 */
export function readMessageBody(raw: Buffer | undefined, contentType: string | undefined, limits: JsonLimits = DEFAULT_JSON_LIMITS): Record<string, unknown> {
  const text = raw?.toString('utf8') ?? '';
  const type = mediaTypeOf(contentType);
  if (type === 'application/json' || type.endsWith('+json')) {
    if (!text.trim()) throw new IngestException(IngestErrorCodes.InvalidJson, 'The body is empty; send a JSON message.');
    const parsed = parseJsonBody(text, limits);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new IngestException(IngestErrorCodes.InvalidJson, 'The JSON body must be an object.');
    }
    return parsed as Record<string, unknown>;
  }
  let fields: Record<string, unknown>;
  if (type === 'application/x-www-form-urlencoded') fields = Object.fromEntries(new URLSearchParams(text));
  else if (type === 'text/plain' || (type === '' && text.length > 0)) fields = { text };
  else {
    throw new IngestException(
      IngestErrorCodes.UnsupportedMediaType,
      `Content type '${type || 'none'}' is not accepted here; send application/json, application/x-www-form-urlencoded or text/plain.`,
    );
  }
  assertStorable(fields);
  return fields;
}

/** A JSON body of the operator APIs (this service keeps every body raw). Empty → {}. */
export function jsonBody(raw: unknown): unknown {
  if (!Buffer.isBuffer(raw) || raw.length === 0) return {};
  return readMessageBody(raw, 'application/json');
}
