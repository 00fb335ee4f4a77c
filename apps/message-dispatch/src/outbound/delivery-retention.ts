import { deleteOlderThan, retentionPolicies } from '@zapgate/platform';
import type { DispatchConfig } from '../dispatch-config.schema';

/** Finished deliveries go after DELIVERY_ATTEMPT_RETENTION_DAYS, their attempts with them (ON DELETE CASCADE). */
export const deliveryRetention = retentionPolicies<DispatchConfig>('deliveries', (dataSource, config) => [
  {
    name: 'delivery_attempts',
    description: 'finished deliveries (succeeded or dead) with their attempts and receivers’ answers',
    days: config.DELIVERY_ATTEMPT_RETENTION_DAYS,
    purgeBatch: (cutoff, limit) =>
      deleteOlderThan(dataSource, { table: '"dispatch"."delivery"', key: 'id', column: 'completed_at', where: `status <> 'pending'` }, cutoff, limit),
  },
]);
