import { type DynamicModule, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AdminKeyGuard } from '../http/admin-key.guard';
import { auditController } from './audit.controller';
import { AuditRepository } from './audit.repository';

/** A service's audit log: the table its @Audited routes append to, and the operator API over it. */
@Module({})
export class AuditModule {
  static forService(options: { schema: string; route: string }): DynamicModule {
    return {
      module: AuditModule,
      // Global: @Audited binds AuditedInterceptor on routes of any feature module, and its repository must resolve there.
      global: true,
      providers: [{ provide: AuditRepository, inject: [DataSource], useFactory: (ds: DataSource) => new AuditRepository(ds, options.schema) }, AdminKeyGuard],
      controllers: [auditController(options.route)],
      exports: [AuditRepository],
    };
  }
}
