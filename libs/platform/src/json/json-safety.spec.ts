import { checkJsonShape, findUnstorableString, parseStorableJson, toStorable, unstorableReason } from './json-safety';

const limits = { maxDepth: 4, maxMembers: 5 };

describe('storable strings', () => {
  it('names NUL and lone surrogates, and lets well-formed pairs through', () => {
    expect(unstorableReason('a\u0000b')).toMatch(/NUL/);
    expect(unstorableReason('\ud800')).toMatch(/surrogate/);
    expect(unstorableReason('x\udc00')).toMatch(/surrogate/);
    expect(unstorableReason('\ud83d\ude00 ✓ é')).toBeUndefined();
  });

  it('finds the first bad string with its path, in values and in keys', () => {
    expect(findUnstorableString({ text: 'ok', card: { title: '\ud800' } })).toEqual({ path: 'card.title', reason: expect.stringMatching(/surrogate/) });
    expect(findUnstorableString({ slides: [{ data: ['a', 'b\u0000'] }] })?.path).toBe('slides[0].data[1]');
    expect(findUnstorableString({ extra: { 'a\u0000': 1 } })).toEqual({ path: 'extra', reason: expect.stringMatching(/key .*NUL/) });
    expect(findUnstorableString({ 'odd key': 'x\u0000' })?.path).toBe('["odd key"]');
    expect(findUnstorableString('\u0000')?.path).toBe('(body)');
    expect(findUnstorableString({ a: [1, true, null, 'fine'] })).toBeUndefined();
  });

  it('refuses a __proto__ key (prototype poisoning)', () => {
    expect(parseStorableJson('{"a":{"__proto__":{"admin":true}}}')).toMatchObject({ ok: false, problem: { kind: 'characters', path: 'a' } });
  });

  it('replaces what cannot be stored with U+FFFD, and leaves storable values untouched', () => {
    const clean = { text: 'ok', list: [1, 'two'] };
    expect(toStorable(clean)).toBe(clean);
    expect(toStorable({ text: 'a\u0000b', ['k\ud800']: ['\udc00x'] })).toEqual({ text: 'a\ufffdb', ['k\ufffd']: ['\ufffdx'] });
  });
});

describe('JSON shape bounds', () => {
  it('counts depth and members outside strings only', () => {
    expect(checkJsonShape('[[[[1]]]]', limits)).toBeUndefined();
    expect(checkJsonShape('[[[[[1]]]]]', limits)).toMatchObject({ kind: 'depth' });
    expect(checkJsonShape('{"a":"[[[[[[,,,,,,,,"}', limits)).toBeUndefined();
    expect(checkJsonShape('{"a":"\\"[[[[[[[[["}', limits)).toBeUndefined();
    expect(checkJsonShape('[1,2,3,4,5,6,7]', limits)).toMatchObject({ kind: 'members' });
  });

  it('parses within the bounds and says what is wrong otherwise', () => {
    expect(parseStorableJson('{"text":"hi"}')).toEqual({ ok: true, value: { text: 'hi' } });
    expect(parseStorableJson(`${'['.repeat(5000)}${']'.repeat(5000)}`)).toMatchObject({ ok: false, problem: { kind: 'depth' } });
    expect(parseStorableJson('{"text":"a\\u0000"}')).toMatchObject({ ok: false, problem: { kind: 'characters', path: 'text' } });
    expect(parseStorableJson('{\n "text": 1,\n oops }')).toMatchObject({ ok: false, problem: { kind: 'syntax', message: expect.stringMatching(/line 3/) } });
  });
});

describe('where malformed JSON breaks', () => {
  const where = (text: string) => {
    const parsed = parseStorableJson(text, { maxDepth: 64, maxMembers: 10_000 });
    return parsed.ok ? 'valid' : parsed.problem.message;
  };

  it('names line and column for every kind of break, also where V8 gives no position', () => {
    expect(where('{"text":"a",}')).toMatch(/line 1, column 13/);
    expect(where('{\n "text": "a",\n "card": }')).toMatch(/line 3, column 10/);
    expect(where('{\n "text": "x",\n oops }')).toMatch(/line 3, column 2/);
    expect(where('[1, 2,\n]')).toMatch(/line 2, column 1/);
    expect(where('{"a" 1}')).toMatch(/line 1, column 6/);
    expect(where('{"a": tru}')).toMatch(/line 1, column 7/);
    expect(where('{"a": "unterminated')).toMatch(/line 1, column 20/);
    expect(where('{"a": 1} trailing')).toMatch(/line 1, column 10/);
    expect(where('{"a": [1, {"b": 01}]}')).toMatch(/line 1, column 18/);
    expect(where('{"ok": [1, {"b": "\\u00e9"}], "n": -1.5e3}')).toBe('valid');
  });
});
