import { CommonCodes, CommonException } from '../errors/domain.exception';
import { DEFAULT_JSON_LIMITS, findUnstorableString, type JsonLimits, type JsonProblem, parseStorableJson } from './json-safety';

/** The 400 a client gets for a JSON body, or a string, that Zapgate will not accept. */
export function jsonProblemException(problem: JsonProblem): CommonException {
  if (problem.kind === 'characters') {
    return new CommonException(CommonCodes.InvalidCharacters, `A string cannot be stored: ${problem.message}.`, [
      { path: problem.path, message: problem.message },
    ]);
  }
  const prefix = problem.kind === 'syntax' ? 'Malformed JSON: ' : 'The JSON body is refused: ';
  return new CommonException(CommonCodes.InvalidJson, `${prefix}${problem.message}.`);
}

/** A JSON request body as a value, or the 400 that says what is wrong with it. */
export function parseJsonBody(text: string, limits: JsonLimits = DEFAULT_JSON_LIMITS): unknown {
  if (!text.trim()) throw new CommonException(CommonCodes.InvalidJson, 'The body is empty; send a JSON value.');
  const parsed = parseStorableJson(text, limits);
  if (!parsed.ok) throw jsonProblemException(parsed.problem);
  return parsed.value;
}

/** Throws the same 400 when any string in `value` (form fields, plain text, parameters) cannot be stored. */
export function assertStorable(value: unknown): void {
  const bad = findUnstorableString(value);
  if (bad) throw jsonProblemException({ kind: 'characters', path: bad.path, message: `${bad.path} ${bad.reason}` });
}

/**
 * A route's JSON body whether the service parsed it already or keeps every body raw
 * (webhook-ingest hands routes a Buffer): shared routes such as the dead-letter retry read
 * it through this. No body is `{}`.
 */
export function requestJson(body: unknown, limits: JsonLimits = DEFAULT_JSON_LIMITS): unknown {
  if (body === undefined || body === null) return {};
  if (!Buffer.isBuffer(body)) return body;
  return body.length === 0 ? {} : parseJsonBody(body.toString('utf8'), limits);
}
