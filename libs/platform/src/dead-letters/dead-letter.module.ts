import { type DynamicModule, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { BaseConfig } from '../config';
import { AdminKeyGuard } from '../http/admin-key.guard';
import { deleteOlderThan } from '../retention/purge-batch';
import { retentionPolicies } from '../retention/retention.service';
import { DeadLetterRetrier } from './dead-letter-retrier.service';
import { DeadLetterRepository } from './dead-letter.repository';
import { deadLettersController } from './dead-letters.controller';

export interface DeadLetterOptions {
  /** The service's Postgres schema, which holds its `dead_letter` table. */
  schema: string;
  /** The path segment of its operator routes: `/api/v1/<route>/dead-letters`. */
  route: string;
}

/** Dead letters of one service: the repository its consumers record into, and the operator API over it. */
@Module({})
export class DeadLetterModule {
  static forService(options: DeadLetterOptions): DynamicModule {
    return {
      module: DeadLetterModule,
      providers: [
        { provide: DeadLetterRepository, inject: [DataSource], useFactory: (ds: DataSource) => new DeadLetterRepository(ds, options.schema) },
        DeadLetterRetrier,
        AdminKeyGuard,
        // Payloads may hold personal data: dead letters go after DEAD_LETTER_RETENTION_DAYS, retried or not.
        retentionPolicies<BaseConfig>('dead_letters', (ds, config) => [
          {
            name: 'dead_letters',
            description: 'dead letters and their payloads',
            days: config.DEAD_LETTER_RETENTION_DAYS,
            purgeBatch: (cutoff, limit) => deleteOlderThan(ds, { table: `"${options.schema}"."dead_letter"`, key: 'id', column: 'created_at' }, cutoff, limit),
          },
        ]),
      ],
      controllers: [deadLettersController(options.route)],
      exports: [DeadLetterRepository],
    };
  }
}
