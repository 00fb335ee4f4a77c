import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { APP_CONFIG, deleteOlderThan, RetentionService } from '@zapgate/platform';
import { DataSource } from 'typeorm';
import type { TokenConfig } from '../token-config.schema';

/** Hourly usage counts go after USAGE_RETENTION_DAYS; a usage report's id is needed only while it may be redelivered. */
@Injectable()
export class UsageRetention implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly retention: RetentionService,
    @Inject(APP_CONFIG) private readonly config: TokenConfig,
  ) {}

  onModuleInit(): void {
    this.retention.register({
      name: 'usage_counts',
      description: "tokens' hourly usage counts (the statistics' 24 h / 7 d / 30 d / any-range answers)",
      days: this.config.USAGE_RETENTION_DAYS,
      // The key is (token_id, hour): rows are taken by their physical address.
      purgeBatch: (cutoff, limit) => deleteOlderThan(this.dataSource, { table: '"token"."usage_hourly"', key: 'ctid', column: 'hour' }, cutoff, limit),
    });
    this.retention.register({
      name: 'usage_reports',
      description: 'ids of applied usage reports (a report is redelivered within minutes, never days)',
      days: 1,
      purgeBatch: (cutoff, limit) => deleteOlderThan(this.dataSource, { table: '"token"."usage_report"', key: 'id', column: 'applied_at' }, cutoff, limit),
    });
  }
}
