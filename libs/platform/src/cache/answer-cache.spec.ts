import { AnswerCache } from './answer-cache';

describe('AnswerCache', () => {
  it('keeps answers for their TTL, null ones included', () => {
    const cache = new AnswerCache<string | null>(5000, 10);
    cache.set('a', 'yes', 0);
    cache.set('b', null, 0);
    expect(cache.get('a', 4999)).toBe('yes');
    expect(cache.get('b', 4999)).toBeNull();
    expect(cache.get('a', 5000)).toBeUndefined();
    expect(cache.get('missing', 0)).toBeUndefined();
  });

  it('never holds more than its bound: the oldest answer makes room', () => {
    const cache = new AnswerCache<number>(60_000, 3);
    for (let i = 0; i < 1000; i++) cache.set(`k${i}`, i, 0);
    expect([cache.get('k996', 0), cache.get('k997', 0), cache.get('k998', 0), cache.get('k999', 0)]).toEqual([undefined, 997, 998, 999]);
  });

  it('drops what an event makes stale, and keeps nothing with a TTL of 0', () => {
    const cache = new AnswerCache<{ user: string }>(60_000, 10);
    cache.set('t1', { user: 'u1' }, 0);
    cache.set('t2', { user: 'u2' }, 0);
    cache.forgetWhere((v) => v.user === 'u1');
    expect([cache.get('t1', 0), cache.get('t2', 0)]).toEqual([undefined, { user: 'u2' }]);
    const none = new AnswerCache<number>(0, 10);
    none.set('x', 1, 0);
    expect(none.get('x', 0)).toBeUndefined();
  });
});
