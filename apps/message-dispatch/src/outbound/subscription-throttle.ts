interface Limits {
  id: string;
  rate_limit_per_second: number | null;
  max_concurrency: number;
}

/**
 * Per-subscription limits within this replica: requests in flight, and a
 * token bucket for the rate (burst of one second's worth). `acquire` returns
 * 0 when the request may go, or how long to wait.
 */
export class SubscriptionThrottle {
  private readonly inFlight = new Map<string, number>();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  /** Deliveries waiting for a slot of their subscription, oldest first: a freed slot goes to the first. */
  private readonly waiting = new Map<string, (() => void)[]>();

  acquire(sub: Limits, now = Date.now()): number {
    const busy = this.inFlight.get(sub.id) ?? 0;
    if (busy >= sub.max_concurrency) return 100;
    return this.enter(sub, busy, now);
  }

  /**
   * Like acquire, but when every slot is taken it waits (up to `maxWaitMs`)
   * for one to be released, first come first served, instead of answering at
   * once: a claimed delivery keeps its place instead of going back to the
   * table and being claimed again behind later ones. At most twice
   * max_concurrency wait; the rest go back as before. 0 when it may go.
   */
  async slot(sub: Limits, maxWaitMs: number): Promise<number> {
    const busy = this.inFlight.get(sub.id) ?? 0;
    if (busy < sub.max_concurrency) return this.enter(sub, busy);
    // A few wait here, no more: a slow subscription must not fill the worker's slots that others need.
    if ((this.waiting.get(sub.id)?.length ?? 0) >= sub.max_concurrency * 2) return 100;
    const handedOver = await new Promise<boolean>((resolve) => {
      const queue = this.waiting.get(sub.id) ?? [];
      const take = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        const i = queue.indexOf(take);
        if (i >= 0) queue.splice(i, 1);
        if (!queue.length) this.waiting.delete(sub.id);
        resolve(false);
      }, maxWaitMs);
      queue.push(take);
      this.waiting.set(sub.id, queue);
    });
    if (!handedOver) return 100;
    // The slot is ours (release handed it over without freeing it); the rate still applies.
    const wait = this.rateWait(sub, Date.now());
    if (wait > 0) this.release(sub.id);
    return wait;
  }

  private enter(sub: Limits, busy: number, now = Date.now()): number {
    const wait = this.rateWait(sub, now);
    if (wait > 0) return wait;
    this.inFlight.set(sub.id, busy + 1);
    return 0;
  }

  /** Takes a token of the subscription's rate, or says how long until there is one. */
  private rateWait(sub: Limits, now: number): number {
    if (sub.rate_limit_per_second) {
      const rate = sub.rate_limit_per_second;
      const bucket = this.buckets.get(sub.id) ?? { tokens: rate, at: now };
      bucket.tokens = Math.min(rate, bucket.tokens + ((now - bucket.at) / 1000) * rate);
      bucket.at = now;
      this.buckets.set(sub.id, bucket);
      if (bucket.tokens < 1) return Math.ceil(((1 - bucket.tokens) / rate) * 1000);
      bucket.tokens -= 1;
    }
    return 0;
  }

  release(id: string): void {
    const next = this.waiting.get(id)?.shift();
    if (next) {
      if (!this.waiting.get(id)?.length) this.waiting.delete(id);
      return next(); // the slot passes to the oldest waiter: in flight stays the same
    }
    const busy = (this.inFlight.get(id) ?? 1) - 1;
    if (busy <= 0) this.inFlight.delete(id);
    else this.inFlight.set(id, busy);
  }
}
