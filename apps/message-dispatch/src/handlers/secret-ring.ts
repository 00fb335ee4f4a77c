/** A secret that was rotated out and still signs until `expires_at`. */
export interface RetiredSecret {
  sealed: string;
  expires_at: string;
}

/** Retired secrets still inside their grace period, newest first, at most `max`. */
export function liveRetired(previous: readonly RetiredSecret[], now = new Date(), max = 10): RetiredSecret[] {
  return previous.filter((p) => new Date(p.expires_at) > now).slice(0, max);
}
