import { RateLimiter } from './rate-limiter';

describe('RateLimiter', () => {
  const t0 = 1_800_000_000_000 - (1_800_000_000_000 % 60_000);

  it('allows the limit per window, then refuses with the time until the window rolls', () => {
    const limiter = new RateLimiter(3, 60_000);
    expect([1, 2, 3, 4].map(() => limiter.hit('u', t0 + 1000).allowed)).toEqual([true, true, true, false]);
    expect(limiter.hit('u', t0 + 1000).retryAfterSeconds).toBe(59);
    expect(limiter.hit('other', t0 + 1000).allowed).toBe(true);
  });

  it('weights the previous window so a burst at the boundary cannot double the rate', () => {
    const limiter = new RateLimiter(10, 60_000);
    for (let i = 0; i < 10; i++) limiter.hit('u', t0 + 59_000);
    // 1 s into the next window ~98 % of the previous one still counts (rounded up: all ten): none fits, let alone ten.
    expect([1, 2].map(() => limiter.hit('u', t0 + 61_000).allowed)).toEqual([false, false]);
    expect(limiter.hit('u', t0 + 115_000).allowed).toBe(true); // only ~8 % of it left
  });

  it('locks a key out for the lock period once it goes over', () => {
    const limiter = new RateLimiter(2, 60_000, 600_000);
    limiter.hit('u', t0);
    limiter.hit('u', t0);
    expect(limiter.hit('u', t0)).toEqual({ allowed: false, retryAfterSeconds: 600 });
    expect(limiter.hit('u', t0 + 120_000)).toEqual({ allowed: false, retryAfterSeconds: 480 });
    expect(limiter.hit('u', t0 + 600_001).allowed).toBe(true);
  });

  it('stays bounded in memory', () => {
    const limiter = new RateLimiter(5, 60_000, 0, 100);
    for (let i = 0; i < 1000; i++) limiter.hit(`k${i}`, t0);
    expect((limiter as unknown as { windows: Map<string, unknown> }).windows.size).toBeLessThanOrEqual(100);
  });
});

describe('RateLimiter across a window boundary', () => {
  it('refuses the post that would make more than the limit within a few seconds, even when a new minute has just begun', () => {
    const limiter = new RateLimiter(10, 60_000);
    const endOfMinute = 60_000 - 500;
    for (let i = 0; i < 9; i++) expect(limiter.hit('u', endOfMinute).allowed).toBe(true);
    expect(limiter.hit('u', 60_000 + 100).allowed).toBe(true); // the 10th, in the next minute
    expect(limiter.hit('u', 60_000 + 200).allowed).toBe(false); // an 11th within a second
  });
});
