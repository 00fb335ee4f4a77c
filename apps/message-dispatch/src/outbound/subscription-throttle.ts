interface Limits {
  id: string;
  rate_limit_per_second: number | null;
  max_concurrency: number;
}

/** `slot` found no free slot (all taken, and the wait was full or ran out): the delivery goes back to its place. */
export const NO_SLOT = -1;

/** How many deliveries of a subscription may wait for a slot: a few, so a slow one cannot hold the worker's slots. */
const waitCap = (sub: Limits) => sub.max_concurrency * 2;

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
  /** waitCap of each subscription that has waited, as last seen: saturated() has only the ids. */
  private readonly caps = new Map<string, number>();

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
   * max_concurrency wait; for the rest it answers NO_SLOT, and the subscription counts as
   * saturated (the worker claims none of its deliveries) until a waiter gets its slot. 0 when it
   * may go, or the milliseconds the rate limit wants.
   */
  async slot(sub: Limits, maxWaitMs: number): Promise<number> {
    const busy = this.inFlight.get(sub.id) ?? 0;
    if (busy < sub.max_concurrency) return this.enter(sub, busy);
    this.caps.set(sub.id, waitCap(sub));
    if ((this.waiting.get(sub.id)?.length ?? 0) >= waitCap(sub)) return NO_SLOT;
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
    if (!handedOver) return NO_SLOT;
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

  /** How many more deliveries this subscription can take here now: free slots plus free places in its wait. */
  room(sub: Limits): number {
    return sub.max_concurrency + waitCap(sub) - (this.inFlight.get(sub.id) ?? 0) - (this.waiting.get(sub.id)?.length ?? 0);
  }

  /** Subscriptions whose wait is full: claiming their deliveries now would only give them back. */
  saturated(): string[] {
    const full: string[] = [];
    for (const [id, queue] of this.waiting) if (queue.length >= (this.caps.get(id) ?? Infinity)) full.push(id);
    return full;
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
