import { deleteOlderThan, retentionPolicies } from '@zapgate/platform';
import type { TokenConfig } from '../token-config.schema';

/** Hourly usage counts go after USAGE_RETENTION_DAYS; a usage report's id is needed only while it may be redelivered. */
export const usageRetention = retentionPolicies<TokenConfig>('usage', (dataSource, config) => [
  {
    name: 'usage_counts',
    description: "tokens' hourly usage counts (the statistics' 24 h / 7 d / 30 d / any-range answers)",
    days: config.USAGE_RETENTION_DAYS,
    // The key is (token_id, hour): rows are taken by their physical address.
    purgeBatch: (cutoff, limit) => deleteOlderThan(dataSource, { table: '"token"."usage_hourly"', key: 'ctid', column: 'hour' }, cutoff, limit),
  },
  {
    name: 'usage_reports',
    description: 'ids of applied usage reports (a report is redelivered within minutes, never days)',
    days: 1,
    purgeBatch: (cutoff, limit) => deleteOlderThan(dataSource, { table: '"token"."usage_report"', key: 'id', column: 'applied_at' }, cutoff, limit),
  },
]);
