/** A receiver cannot park a delivery longer than a day with its Retry-After. */
const RETRY_AFTER_CAP_MS = 86_400_000;

/**
 * When the next attempt happens, or undefined when the attempts are used up.
 * A receiver's Retry-After is a floor on the wait, never a replacement for
 * it: a short one (`Retry-After: 1` through an outage) must not spend the
 * schedule's attempts in seconds, so the horizon stays the schedule's.
 */
export function nextAttemptDelayMs(
  attemptsMade: number,
  schedule: readonly number[],
  jitter: number,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number | undefined {
  if (attemptsMade > schedule.length) return undefined;
  const base = schedule[attemptsMade - 1] * 1000;
  const scheduled = Math.max(0, Math.round(base * (1 + jitter * (2 * random() - 1))));
  return retryAfterMs === undefined ? scheduled : Math.max(scheduled, Math.min(retryAfterMs, RETRY_AFTER_CAP_MS));
}
