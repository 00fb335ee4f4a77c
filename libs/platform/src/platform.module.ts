import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR } from '@nestjs/core';
import { type BaseConfig, ConfigModule } from './config';
import { DatabaseModule, type DatabaseOptions } from './database';
import { HttpExceptionFilter } from './errors';
import { HealthModule } from './health';
import { ResponseContractInterceptor } from './http/response-contract.interceptor';
import { MetricsModule } from './metrics';
import { NatsModule } from './nats';
import { OperatorsModule } from './operators';

export interface PlatformOptions {
  service: string;
  config: BaseConfig;
  database: Omit<DatabaseOptions, 'applicationName'>;
}

/** What every Zapgate service has: config, NATS, its database schema, health, metrics and one error filter. */
@Module({})
export class PlatformModule {
  static forRoot(options: PlatformOptions): DynamicModule {
    return {
      module: PlatformModule,
      imports: [
        ConfigModule.forRoot(options.config),
        MetricsModule.forRoot(options.service),
        NatsModule.forRoot(options.service),
        DatabaseModule.forRoot({ ...options.database, applicationName: options.service }),
        HealthModule,
        OperatorsModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: HttpExceptionFilter },
        // Only where answers are checked (the tests): a global interceptor costs every request its rxjs wrapping.
        ...(options.config.VALIDATE_RESPONSES ? [{ provide: APP_INTERCEPTOR, useClass: ResponseContractInterceptor }] : []),
      ],
    };
  }
}
