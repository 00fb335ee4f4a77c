export interface LimitDecision {
  allowed: boolean;
  retryAfterSeconds: number;
}

interface Window {
  start: number;
  count: number;
  previous: number;
  lockedUntil: number;
}

/**
 * Sliding-window counter per key (the previous minute weighted by how much of
 * it still overlaps), with an optional lock-out once the limit is passed, as
 * Cliq does (50/min, then 10 minutes). In memory: it counts one replica's traffic only, so it
 * is what SharedRateLimiter falls back to while the shared window cannot be reached.
 */
export class RateLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly lockMs = 0,
    private readonly maxKeys = 100_000,
  ) {}

  /** `limit` overrides the constructor's for this key (a limit that differs per key, as a subscription's rate). */
  hit(key: string, now = Date.now(), limit = this.limit): LimitDecision {
    let w = this.windows.get(key);
    if (!w) {
      if (this.windows.size >= this.maxKeys) this.evict(now);
      w = { start: now - (now % this.windowMs), count: 0, previous: 0, lockedUntil: 0 };
      this.windows.set(key, w);
    }
    if (w.lockedUntil > now) return { allowed: false, retryAfterSeconds: (w.lockedUntil - now) / 1000 };
    const currentStart = now - (now % this.windowMs);
    if (currentStart !== w.start) {
      w.previous = currentStart - w.start === this.windowMs ? w.count : 0;
      w.count = 0;
      w.start = currentStart;
    }
    const overlap = 1 - (now - w.start) / this.windowMs;
    // Rounded up: 9 posts at the end of one minute and 1 at the start of the next are 10 in a few
    // seconds, and an 11th must be refused (9 × 0.99 + 1 = 9.9 would let it through).
    const estimate = Math.ceil(w.previous * overlap) + w.count;
    if (estimate >= limit) {
      if (this.lockMs > 0) w.lockedUntil = now + this.lockMs;
      const retry = this.lockMs > 0 ? this.lockMs : w.start + this.windowMs - now;
      return { allowed: false, retryAfterSeconds: retry / 1000 };
    }
    w.count++;
    return { allowed: true, retryAfterSeconds: 0 };
  }

  private evict(now: number): void {
    for (const [key, w] of this.windows) {
      if (w.lockedUntil <= now && now - w.start > 2 * this.windowMs) this.windows.delete(key);
    }
    // Still full: drop the oldest entries rather than grow without bound.
    for (const key of this.windows.keys()) {
      if (this.windows.size < this.maxKeys) break;
      this.windows.delete(key);
    }
  }
}
