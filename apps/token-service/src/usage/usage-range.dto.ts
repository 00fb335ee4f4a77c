import { z } from 'zod';

const WINDOWS = { '24h': 24, '7d': 7 * 24, '30d': 30 * 24 } as const;
const MAX_RANGE_HOURS = 90 * 24;

/** `?window=24h|7d|30d`, or `?from=&to=` (ISO 8601) spanning at most 90 days; 24 h when neither is given. */
export const UsageRangeSchema = z
  .object({
    window: z.enum(['24h', '7d', '30d']).optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
  })
  .loose()
  .refine((q) => !(q.window && (q.from || q.to)), { message: 'give either window or from/to, not both', path: ['window'] })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) < Date.parse(q.to), { message: 'from must be before to', path: ['from'] })
  .refine((q) => !q.from || Date.parse(q.to ?? new Date().toISOString()) - Date.parse(q.from) <= MAX_RANGE_HOURS * 3_600_000, {
    message: 'the range may span at most 90 days',
    path: ['from'],
  });

/** The instants a parsed range covers. */
export function usageRange(q: z.infer<typeof UsageRangeSchema>): { from: Date; to: Date } {
  const to = q.to ? new Date(q.to) : new Date();
  const from = q.from ? new Date(q.from) : new Date(to.getTime() - WINDOWS[q.window ?? '24h'] * 3_600_000);
  return { from, to };
}
