/** When the next attempt happens, or undefined when the attempts are used up. */
export function nextAttemptDelayMs(
  attemptsMade: number,
  schedule: readonly number[],
  jitter: number,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number | undefined {
  if (attemptsMade > schedule.length) return undefined;
  // The receiver's own Retry-After wins (capped at a day so a bad header cannot park a delivery forever).
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, 86_400_000);
  const base = schedule[attemptsMade - 1] * 1000;
  return Math.max(0, Math.round(base * (1 + jitter * (2 * random() - 1))));
}
