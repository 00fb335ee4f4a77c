/**
 * A verifier's answers, kept for a short time: bounded (the oldest
 * entry makes room), expired on read, and dropped early by an event that
 * invalidates them (`forgetWhere`). A TTL of 0 keeps nothing.
 */
export class AnswerCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
  ) {}

  /** The live answer for `key`, if any. */
  get(key: string, now = Date.now()): V | undefined {
    const hit = this.entries.get(key);
    return hit && hit.expiresAt > now ? hit.value : undefined;
  }

  set(key: string, value: V, now = Date.now()): void {
    if (this.ttlMs <= 0) return;
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { value, expiresAt: now + this.ttlMs });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  forgetWhere(stale: (value: V) => boolean): void {
    for (const [key, entry] of this.entries) if (stale(entry.value)) this.entries.delete(key);
  }
}
