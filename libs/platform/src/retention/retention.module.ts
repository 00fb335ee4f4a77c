import { type DynamicModule, Module } from '@nestjs/common';
import { AdminKeyGuard } from '../http/admin-key.guard';
import { retentionController } from './retention.controller';
import { RetentionService } from './retention.service';

/** A service's retention purge: features register their policies with RetentionService; operators read and run them. */
@Module({})
export class RetentionModule {
  static forService(options: { route: string }): DynamicModule {
    return {
      module: RetentionModule,
      global: true,
      providers: [RetentionService, AdminKeyGuard],
      controllers: [retentionController(options.route)],
      exports: [RetentionService],
    };
  }
}
