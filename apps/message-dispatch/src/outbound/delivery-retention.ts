import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { APP_CONFIG, deleteOlderThan, RetentionService } from '@zapgate/platform';
import { DataSource } from 'typeorm';
import type { DispatchConfig } from '../dispatch-config.schema';

/** Finished deliveries go after DELIVERY_ATTEMPT_RETENTION_DAYS, their attempts with them (ON DELETE CASCADE). */
@Injectable()
export class DeliveryRetention implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly retention: RetentionService,
    @Inject(APP_CONFIG) private readonly config: DispatchConfig,
  ) {}

  onModuleInit(): void {
    this.retention.register({
      name: 'delivery_attempts',
      description: 'finished deliveries (succeeded or dead) with their attempts and receivers’ answers',
      days: this.config.DELIVERY_ATTEMPT_RETENTION_DAYS,
      purgeBatch: (cutoff, limit) =>
        deleteOlderThan(this.dataSource, { table: '"dispatch"."delivery"', key: 'id', column: 'completed_at', where: `status <> 'pending'` }, cutoff, limit),
    });
  }
}
