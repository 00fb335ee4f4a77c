import { z } from 'zod';

/** A rotation's body, for every rotating secret (handler secrets, subscriptions' signing secrets): how long the old one still signs. */
export const RotateSecretSchema = z.object({
  grace_seconds: z
    .number()
    .int()
    .min(0)
    .max(7 * 86_400)
    .default(86_400),
});

/** A secret that was rotated out and still signs until `expires_at`. */
export interface RetiredSecret {
  sealed: string;
  expires_at: string;
}

/** Retired secrets still inside their grace period, newest first, at most `max`. */
export function liveRetired(previous: readonly RetiredSecret[], now = new Date(), max = 10): RetiredSecret[] {
  return previous.filter((p) => new Date(p.expires_at) > now).slice(0, max);
}

/** The retired list after a rotation: the outgoing secret first, good for `graceSeconds`, then the still-live older ones. */
export function retire(outgoing: string, previous: readonly RetiredSecret[], graceSeconds: number, now = new Date(), max = 10): RetiredSecret[] {
  return [{ sealed: outgoing, expires_at: new Date(now.getTime() + graceSeconds * 1000).toISOString() }, ...liveRetired(previous, now)].slice(0, max);
}
