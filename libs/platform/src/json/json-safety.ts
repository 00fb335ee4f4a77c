/**
 * What PostgreSQL and JSON serialisation accept, checked where a value enters
 * the platform, so that nothing acknowledged is refused later by the store.
 *
 * - jsonb and text refuse U+0000; jsonb refuses a lone UTF-16 surrogate
 *   (`\ud800` without its pair).
 * - JSON.stringify recurses: a body nested thousands of levels deep parses but
 *   overflows the stack when it is published again.
 */
export interface JsonLimits {
  /** Objects and arrays inside one another, counting the outermost. */
  maxDepth: number;
  /** Object members and array elements in the whole document. */
  maxMembers: number;
}

export const DEFAULT_JSON_LIMITS: JsonLimits = { maxDepth: 64, maxMembers: 10_000 };

export type JsonProblem =
  { kind: 'syntax'; message: string } | { kind: 'depth' | 'members'; message: string } | { kind: 'characters'; path: string; message: string };

/** Why a string cannot be stored as it is, or undefined when it can. */
export function unstorableReason(s: string): string | undefined {
  if (s.includes('\u0000')) return 'contains U+0000 (NUL), which PostgreSQL cannot store';
  if (!s.isWellFormed()) return 'contains a lone UTF-16 surrogate, which is not a character';
  return undefined;
}

/**
 * Depth and member count of a JSON text, counted in one pass outside strings,
 * before JSON.parse builds anything. The text need not be valid JSON; the
 * parser reports syntax afterwards.
 */
export function checkJsonShape(text: string, limits: JsonLimits = DEFAULT_JSON_LIMITS): JsonProblem | undefined {
  let depth = 0;
  let members = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limits.maxDepth) return { kind: 'depth', message: `JSON nests deeper than ${limits.maxDepth} levels` };
    } else if (c === 0x7d || c === 0x5d) depth--;
    else if (c === 0x2c && ++members > limits.maxMembers) {
      return { kind: 'members', message: `JSON has more than ${limits.maxMembers} members and elements` };
    }
  }
  return undefined;
}

const keyPath = (path: string, key: string) => (/^[A-Za-z_$][\w$-]*$/.test(key) ? (path ? `${path}.${key}` : key) : `${path}[${JSON.stringify(key)}]`);

/**
 * The first string, key or value, that cannot be stored, with its path
 * (`card.title`, `slides[0].data`); for a bad key (or one named
 * `__proto__`), the object holding it.
 * Iterative, so a deep value cannot overflow the stack.
 */
export function findUnstorableString(value: unknown): { path: string; reason: string } | undefined {
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      const reason = unstorableReason(v);
      if (reason) return { path: path || '(body)', reason };
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${path}[${i}]`]);
    } else if (v && typeof v === 'object') {
      const entries = Object.entries(v);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, child] = entries[i];
        const reason = k === '__proto__' ? 'is named __proto__, which is refused (prototype poisoning)' : unstorableReason(k);
        if (reason) return { path: path || '(body)', reason: `has a key that ${reason}` };
        stack.push([child, keyPath(path, k)]);
      }
    }
  }
  return undefined;
}

/**
 * Parses a JSON text within the limits and with only storable strings.
 * Returns the value, or the first problem found.
 */
export function parseStorableJson(text: string, limits: JsonLimits = DEFAULT_JSON_LIMITS): { ok: true; value: unknown } | { ok: false; problem: JsonProblem } {
  const shape = checkJsonShape(text, limits);
  if (shape) return { ok: false, problem: shape };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, problem: { kind: 'syntax', message: describeJsonError(text, err as Error) } };
  }
  const bad = findUnstorableString(value);
  if (bad) return { ok: false, problem: { kind: 'characters', path: bad.path, message: `${bad.path} ${bad.reason}` } };
  return { ok: true, value };
}

/** One string with NUL and lone surrogates replaced by U+FFFD (text PostgreSQL can keep). */
export function storableText(s: string): string {
  return s.replaceAll('\u0000', '\ufffd').toWellFormed();
}

/**
 * A copy in which every NUL and lone surrogate (in keys and values) is
 * replaced by U+FFFD: for content Zapgate derives from what it received
 * (formatter output, a handler's answer), which must be stored even when the
 * source held such characters. The value is already bounded in depth.
 */
export function toStorable<T>(value: T): T {
  if (!findUnstorableString(value)) return value;
  const fix = storableText;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return fix(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, c]) => [fix(k), walk(c)]));
    return v;
  };
  return walk(value) as T;
}

/** Where a JSON.parse error happened, as line and column a person can find. */
export function describeJsonError(text: string, err: Error): string {
  const match = /position (\d+)/.exec(err.message);
  const what = err.message
    .replace(/^JSON\.parse: /, '')
    .replace(/ in JSON at position \d+.*$/, '')
    .replace(/, (?:"|\.\.\.).* is not valid JSON$/s, '')
    .replace(/^Unexpected/, 'unexpected');
  // V8 leaves the position out of some messages (an unexpected token after a key): find it ourselves.
  const position = match ? Number(match[1]) : syntaxErrorOffset(text);
  if (position === undefined) return what;
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  return `${what} at line ${line}, column ${column} (position ${position})`;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);

/**
 * The offset of the first character that breaks the JSON grammar, or
 * undefined when the text is valid JSON. Iterative (no recursion, so any
 * depth), one pass; used only to say where a body that JSON.parse refused
 * breaks.
 */
export function syntaxErrorOffset(text: string): number | undefined {
  const n = text.length;
  let i = 0;
  const stack: ('object' | 'array')[] = [];
  const skipSpace = () => {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const string = (): boolean => {
    if (text[i] !== '"') return false;
    i++;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return true;
      }
      if (c < 0x20) return false;
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return false;
          i += 6;
        } else if (e !== undefined && ESCAPES.has(e)) i += 2;
        else return false;
      } else i++;
    }
    return false;
  };
  const key = (): boolean => {
    skipSpace();
    if (!string()) return false;
    skipSpace();
    if (text[i] !== ':') return false;
    i++;
    return true;
  };
  for (;;) {
    // A value is expected here.
    skipSpace();
    const c = text[i];
    if (c === '{' || c === '[') {
      i++;
      skipSpace();
      const close = c === '{' ? '}' : ']';
      if (text[i] === close) {
        i++;
      } else {
        stack.push(c === '{' ? 'object' : 'array');
        if (c === '{' && !key()) return i;
        continue;
      }
    } else if (c === '"') {
      if (!string()) return i;
    } else if (text.startsWith('true', i) || text.startsWith('null', i)) {
      i += 4;
    } else if (text.startsWith('false', i)) {
      i += 5;
    } else {
      NUMBER.lastIndex = i;
      if (!NUMBER.test(text)) return i;
      i = NUMBER.lastIndex;
    }
    // After a value: a separator, the end of containers, or the end of the text.
    for (;;) {
      skipSpace();
      const top = stack[stack.length - 1];
      if (!top) return i < n ? i : undefined;
      if (text[i] === ',') {
        i++;
        if (top === 'object' && !key()) return i;
        break;
      }
      if (text[i] === (top === 'object' ? '}' : ']')) {
        i++;
        stack.pop();
        continue;
      }
      return i;
    }
  }
}
