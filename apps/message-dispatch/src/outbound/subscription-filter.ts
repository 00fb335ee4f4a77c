import { z } from 'zod';
import { MessageSources } from '../channels/message-facets';

const MAX_PAYLOAD_FILTER_BYTES = 4096;

/**
 * Which messages a subscription takes. Every part given must match: one of
 * the sources, one of the sender's event types (case-insensitive), and a
 * payload that contains the `payload` document (PostgreSQL's jsonb
 * containment: the keys and values given, at any depth; an array matches
 * when it holds the elements given).
 */
export const SubscriptionFilterSchema = z
  .strictObject({
    sources: z.array(z.enum(MessageSources)).min(1).max(MessageSources.length).optional(),
    event_types: z.array(z.string().min(1).max(100)).min(1).max(50).optional(),
    payload: z
      .record(z.string(), z.unknown())
      .refine((p) => Object.keys(p).length > 0, 'must name at least one key')
      .refine((p) => Buffer.byteLength(JSON.stringify(p)) <= MAX_PAYLOAD_FILTER_BYTES, `must be at most ${MAX_PAYLOAD_FILTER_BYTES} bytes of JSON`)
      .optional(),
  })
  .describe('Only messages that match every part given are delivered; null or {} delivers all.');
export type SubscriptionFilter = z.infer<typeof SubscriptionFilterSchema>;

export interface FilterColumns {
  filter_sources: string[] | null;
  filter_event_types: string[] | null;
  filter_payload: Record<string, unknown> | null;
}

/** The columns a filter is stored in (event types in lower case, as messages carry them). */
export function filterColumns(filter: SubscriptionFilter | null | undefined): FilterColumns {
  return {
    filter_sources: filter?.sources ? [...new Set(filter.sources)] : null,
    filter_event_types: filter?.event_types ? [...new Set(filter.event_types.map((t) => t.toLowerCase()))] : null,
    filter_payload: filter?.payload ?? null,
  };
}

export function filterView(row: FilterColumns): SubscriptionFilter | null {
  const view = {
    ...(row.filter_sources ? { sources: row.filter_sources as SubscriptionFilter['sources'] } : {}),
    ...(row.filter_event_types ? { event_types: row.filter_event_types } : {}),
    ...(row.filter_payload ? { payload: row.filter_payload } : {}),
  };
  return Object.keys(view).length ? view : null;
}
