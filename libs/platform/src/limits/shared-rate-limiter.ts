import { RateLimiter, type LimitDecision } from './rate-limiter';
import type { QuotaLease, QuotaRequest } from './rate-window.repository';

export interface SharedLimit {
  limit: number;
  windowMs: number;
  /** Once the limit is passed, refuse everything for this long (Cliq: 10 minutes); 0 for none. */
  lockMs: number;
}

/** Why a decision was made here and not by the shared window. */
export type FallbackReason = 'store_failed' | 'store_down';

interface Allowance {
  /** Posts leased from the shared window and not yet spent here. */
  left: number;
  /** How many the last lease granted: a lease of more than one is refilled ahead of need. */
  leased: number;
  /** The limit the last lease was asked under (a subscription's own rate, say). */
  limit: number;
  /** The window those posts belong to ends then (local clock). */
  until: number;
  /** What the shared window still had after the last lease: sizes the next one. */
  remaining: number;
  /** Refused (lock-out, or a full window) until then, without asking again. */
  refusedUntil: number;
  retryAt: number;
  lease?: Promise<void>;
}

/** A lease slower than this counts as a failed store: ingest must not wait on a stuck database. */
const LEASE_TIMEOUT_MS = 1000;
/** After a failure, decisions stay local this long before the store is asked again. */
const STORE_RETRY_MS = 5000;
/** A refusal because the window is full is kept this long: the sliding estimate frees room gradually. */
const FULL_WINDOW_RECHECK_MS = 1000;
const ALLOWED: LimitDecision = Object.freeze({ allowed: true, retryAfterSeconds: 0 });

/**
 * A rate limit shared by every replica: each replica leases posts from one window kept in
 * PostgreSQL and spends them locally, so the shared count never passes the limit whichever replica a
 * post reaches. Far from the limit a lease covers many posts (one round trip per up to 500); within 64
 * of it every post is its own lease, so the limit is exact where it matters (Cliq's 50 a minute is
 * always decided one post at a time). A replica may hold a few leased posts it never spends: the
 * error is on the side of refusing, by at most 1/32 of what was left per replica.
 *
 * Fails safe: when the store cannot be reached the replica falls back to its own in-memory limiter
 * (each replica then allows up to the limit by itself) and asks the store again after 5 s.
 */
export class SharedRateLimiter {
  private readonly local = new Map<string, Allowance>();
  private readonly fallback: RateLimiter;
  private storeDownUntil = 0;

  constructor(
    private readonly take: (request: QuotaRequest) => Promise<QuotaLease>,
    private readonly limit: SharedLimit,
    private readonly onFallback: (reason: FallbackReason, err?: unknown) => void = () => undefined,
    private readonly maxKeys = 100_000,
  ) {
    this.fallback = new RateLimiter(limit.limit, limit.windowMs, limit.lockMs, maxKeys);
  }

  /**
   * The decision for one post. Synchronous while this replica holds leased posts or a known refusal
   * (the common case: no promise per request); a promise only when it must ask the store.
   */
  hit(key: string, limit = this.limit.limit): LimitDecision | Promise<LimitDecision> {
    return this.decideLocally(key, Date.now()) ?? this.ask(key, limit);
  }

  private decideLocally(key: string, now: number): LimitDecision | undefined {
    const a = this.local.get(key);
    if (!a) return undefined;
    if (a.refusedUntil > now) return { allowed: false, retryAfterSeconds: Math.max(0, a.retryAt - now) / 1000 };
    if (a.left > 0 && a.until > now) {
      a.left--;
      // Far from the limit, the next lease is asked for while a quarter of this one is left, so posts
      // do not all wait on the store each time a lease runs out. Near it, never: each post is its own lease.
      if (a.leased > 1 && a.left <= a.leased / 4 && !a.lease && this.storeDownUntil <= now) this.refill(key, a, now);
      return ALLOWED;
    }
    return undefined;
  }

  /** A lease asked for ahead of need; what it grants adds to what is left of the same window. */
  private refill(key: string, a: Allowance, now: number): void {
    a.lease = this.lease(key, a.limit, a, now, true)
      .catch((err: unknown) => {
        this.storeDownUntil = Date.now() + STORE_RETRY_MS;
        this.onFallback('store_failed', err);
      })
      .finally(() => (a.lease = undefined));
  }

  private async ask(key: string, limit: number): Promise<LimitDecision> {
    for (;;) {
      const now = Date.now();
      const a = this.local.get(key) ?? this.create(key, now);
      const known = this.decideLocally(key, now);
      if (known) return known;
      // Another post of this key is already asking: share its answer rather than ask twice.
      if (a.lease) {
        await a.lease.catch(() => undefined);
        continue;
      }
      if (this.storeDownUntil > now) {
        this.onFallback('store_down');
        return this.fallback.hit(key, now, limit);
      }
      a.lease = this.lease(key, limit, a, now).finally(() => (a.lease = undefined));
      const failed = await a.lease.then(
        () => false,
        (err: unknown) => {
          this.storeDownUntil = Date.now() + STORE_RETRY_MS;
          this.onFallback('store_failed', err);
          return true;
        },
      );
      if (failed) return this.fallback.hit(key, Date.now(), limit);
    }
  }

  private async lease(key: string, limit: number, a: Allowance, now: number, ahead = false): Promise<void> {
    const remaining = a.until > now ? Math.min(a.remaining, limit) : limit;
    const want = remaining < 64 ? 1 : Math.min(500, Math.floor(remaining / 32));
    a.limit = limit;
    let timer: NodeJS.Timeout | undefined;
    const lease = await Promise.race([
      this.take({ key, want, limit, windowMs: this.limit.windowMs, lockMs: this.limit.lockMs }),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`rate window lease took over ${LEASE_TIMEOUT_MS} ms`)), LEASE_TIMEOUT_MS))),
    ]).finally(() => clearTimeout(timer));
    const at = Date.now();
    const until = at + lease.windowLeftMs;
    // Asked ahead within the same window: the posts still left here stay valid and add up.
    const sameWindow = ahead && a.until > at && Math.abs(until - a.until) < this.limit.windowMs / 4;
    a.left = sameWindow ? a.left + lease.granted : lease.granted;
    a.leased = lease.granted;
    a.remaining = lease.remaining;
    a.until = until;
    // A lease asked ahead that got nothing refuses nothing yet: the posts still left here are spent first.
    if (lease.granted === 0 && !(sameWindow && a.left > 0)) {
      a.retryAt = at + lease.retryAfterMs;
      a.refusedUntil = this.limit.lockMs > 0 ? a.retryAt : at + Math.min(FULL_WINDOW_RECHECK_MS, lease.retryAfterMs);
    }
  }

  private create(key: string, now: number): Allowance {
    if (this.local.size >= this.maxKeys) this.evict(now);
    const a: Allowance = { left: 0, leased: 0, limit: this.limit.limit, until: 0, remaining: this.limit.limit, refusedUntil: 0, retryAt: 0 };
    this.local.set(key, a);
    return a;
  }

  private evict(now: number): void {
    for (const [key, a] of this.local) if (!a.lease && a.until <= now && a.refusedUntil <= now) this.local.delete(key);
    // Still full: drop the oldest (their unspent posts are given up, which only ever refuses more).
    for (const [key, a] of this.local) {
      if (this.local.size < this.maxKeys) break;
      if (!a.lease) this.local.delete(key);
    }
  }
}
