import { IngestErrorCodes, IngestException } from '../ingest/ingest.exception';

/** The media type without parameters, lower-cased (`application/json; charset=utf-8` → `application/json`). */
export function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

/** Where a JSON.parse error happened, as line/column a person can find. */
function describeJsonError(text: string, err: Error): string {
  const match = /position (\d+)/.exec(err.message);
  if (!match) return err.message.replace(/^JSON\.parse: /, '');
  const position = Number(match[1]);
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  return `${err.message.replace(/ in JSON at position \d+.*$/, '').replace(/^Unexpected/, 'unexpected')} at line ${line}, column ${column} (position ${position})`;
}

/**
 * The body of a message endpoint as an object: JSON, form fields, or plain
 * text (taken as the message text). Malformed JSON is a 400 that says where.
 */
export function readMessageBody(raw: Buffer | undefined, contentType: string | undefined): Record<string, unknown> {
  const text = raw?.toString('utf8') ?? '';
  const type = mediaTypeOf(contentType);
  if (type === 'application/json' || type.endsWith('+json')) {
    if (!text.trim()) throw new IngestException(IngestErrorCodes.InvalidJson, 'The body is empty; send a JSON message.');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new IngestException(IngestErrorCodes.InvalidJson, `Malformed JSON: ${describeJsonError(text, err as Error)}.`);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new IngestException(IngestErrorCodes.InvalidJson, 'The JSON body must be an object.');
    }
    return parsed as Record<string, unknown>;
  }
  if (type === 'application/x-www-form-urlencoded') return Object.fromEntries(new URLSearchParams(text));
  if (type === 'text/plain' || (type === '' && text.length > 0)) return { text };
  throw new IngestException(
    IngestErrorCodes.UnsupportedMediaType,
    `Content type '${type || 'none'}' is not accepted here; send application/json, application/x-www-form-urlencoded or text/plain.`,
  );
}

/** A JSON body of the operator APIs (this service keeps every body raw). Empty → {}. */
export function jsonBody(raw: unknown): unknown {
  if (!Buffer.isBuffer(raw) || raw.length === 0) return {};
  return readMessageBody(raw, 'application/json');
}
