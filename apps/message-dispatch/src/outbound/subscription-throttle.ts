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
 * A subscription's rate: 0 when a request may go now, or the milliseconds to wait. Shared by all
 * replicas in production (subscription-rates.ts), so it may have to ask the database.
 */
export type RateCheck = (sub: Limits & { rate_limit_per_second: number }) => number | Promise<number>;

/**
 * Per-subscription limits: requests in flight within this replica, and the rate per second
 * (`RateCheck`). `slot` returns 0 when the request may go, or how long to wait.
 */
export class SubscriptionThrottle {
  private readonly inFlight = new Map<string, number>();
  /** Deliveries waiting for a slot of their subscription, oldest first: a freed slot goes to the first. */
  private readonly waiting = new Map<string, (() => void)[]>();
  /** waitCap of each subscription that has waited, as last seen: saturated() has only the ids. */
  private readonly caps = new Map<string, number>();

  constructor(private readonly rate: RateCheck) {}

  /**
   * A slot for one request of `sub`. When every slot is taken it waits (up to `maxWaitMs`) for
   * one to be released, first come first served, instead of answering at once: a claimed delivery
   * keeps its place instead of going back to the table and being claimed again behind later ones.
   * At most twice max_concurrency wait; for the rest it answers NO_SLOT, and the subscription counts
   * as saturated (the worker claims none of its deliveries) until a waiter gets its slot. 0 when it
   * may go (the caller releases the slot when done), or the milliseconds the rate limit wants (the
   * slot is already given back).
   */
  async slot(sub: Limits, maxWaitMs: number): Promise<number> {
    const busy = this.inFlight.get(sub.id) ?? 0;
    if (busy < sub.max_concurrency) {
      // Taken before the rate is asked (which may wait on the database), so no other delivery takes it meanwhile.
      this.inFlight.set(sub.id, busy + 1);
      return this.paced(sub);
    }
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
    return this.paced(sub);
  }

  /** The slot is held: the rate may still say wait, and then the slot goes back. */
  private async paced(sub: Limits): Promise<number> {
    const perSecond = sub.rate_limit_per_second;
    const wait = perSecond ? await this.rate({ ...sub, rate_limit_per_second: perSecond }) : 0;
    if (wait > 0) this.release(sub.id);
    return wait;
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
