import { type DynamicModule, Module } from '@nestjs/common';
import type { BaseConfig } from './base-config.schema';

/** Injection token of the service's validated config object. */
export const APP_CONFIG = Symbol('APP_CONFIG');

/**
 * Makes the config validated in main.ts injectable everywhere. It takes the
 * already-parsed object: validation happens once, before Nest boots, so a bad
 * value stops the process before it opens any connection.
 */
@Module({})
export class ConfigModule {
  static forRoot<C extends BaseConfig>(config: C): DynamicModule {
    return {
      module: ConfigModule,
      global: true,
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
    };
  }
}
