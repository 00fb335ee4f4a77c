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

  acquire(sub: Limits, now = Date.now()): number {
    const busy = this.inFlight.get(sub.id) ?? 0;
    if (busy >= sub.max_concurrency) return 100;
    if (sub.rate_limit_per_second) {
      const rate = sub.rate_limit_per_second;
      const bucket = this.buckets.get(sub.id) ?? { tokens: rate, at: now };
      bucket.tokens = Math.min(rate, bucket.tokens + ((now - bucket.at) / 1000) * rate);
      bucket.at = now;
      this.buckets.set(sub.id, bucket);
      if (bucket.tokens < 1) return Math.ceil(((1 - bucket.tokens) / rate) * 1000);
      bucket.tokens -= 1;
    }
    this.inFlight.set(sub.id, busy + 1);
    return 0;
  }

  release(id: string): void {
    const busy = (this.inFlight.get(id) ?? 1) - 1;
    if (busy <= 0) this.inFlight.delete(id);
    else this.inFlight.set(id, busy);
  }
}
