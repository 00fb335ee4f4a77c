import { type DynamicModule, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AdminKeyGuard } from '../http/admin-key.guard';
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
      providers: [{ provide: DeadLetterRepository, inject: [DataSource], useFactory: (ds: DataSource) => new DeadLetterRepository(ds, options.schema) }, DeadLetterRetrier, AdminKeyGuard],
      controllers: [deadLettersController(options.route)],
      exports: [DeadLetterRepository],
    };
  }
}
