import { deleteOlderThan, retentionPolicies } from '@zapgate/platform';
import type { DispatchConfig } from '../dispatch-config.schema';

/** Messages go after MESSAGE_RETENTION_DAYS (off by default); one still being delivered stays until it is not. */
export const messageRetention = retentionPolicies<DispatchConfig>('messages', (dataSource, config) => [
  {
    name: 'messages',
    description: 'stored messages of every target, with their finished deliveries',
    days: config.MESSAGE_RETENTION_DAYS,
    purgeBatch: (cutoff, limit) =>
      deleteOlderThan(
        dataSource,
        {
          table: '"dispatch"."message"',
          key: 'id',
          column: 'stored_at',
          where: `NOT EXISTS (SELECT 1 FROM "dispatch"."delivery" d WHERE d.message_id = "dispatch"."message".id AND d.status = 'pending')`,
        },
        cutoff,
        limit,
      ),
  },
]);
