import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { APP_CONFIG, deleteOlderThan, RetentionService } from '@zapgate/platform';
import { DataSource } from 'typeorm';
import type { DispatchConfig } from '../dispatch-config.schema';

/** Messages go after MESSAGE_RETENTION_DAYS (off by default); one still being delivered stays until it is not. */
@Injectable()
export class MessageRetention implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly retention: RetentionService,
    @Inject(APP_CONFIG) private readonly config: DispatchConfig,
  ) {}

  onModuleInit(): void {
    this.retention.register({
      name: 'messages',
      description: 'stored messages of every target, with their finished deliveries',
      days: this.config.MESSAGE_RETENTION_DAYS,
      purgeBatch: (cutoff, limit) =>
        deleteOlderThan(
          this.dataSource,
          {
            table: '"dispatch"."message"',
            key: 'id',
            column: 'stored_at',
            where: `NOT EXISTS (SELECT 1 FROM "dispatch"."delivery" d WHERE d.message_id = "dispatch"."message".id AND d.status = 'pending')`,
          },
          cutoff,
          limit,
        ),
    });
  }
}
