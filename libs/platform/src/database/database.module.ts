import type { DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, type DataSourceOptions, type MixedList, type EntitySchema } from 'typeorm';
import { APP_CONFIG, type BaseConfig } from '../config';
import { runMigrationsLocked } from './migration.runner';

export interface DatabaseOptions {
  /** The service's own Postgres schema; nothing else writes to it. */
  schema: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function>;
  applicationName: string;
}

export function dataSourceOptions(config: BaseConfig, options: DatabaseOptions): DataSourceOptions {
  return {
    type: 'postgres',
    url: config.DATABASE_URL,
    schema: options.schema,
    entities: options.entities,
    migrations: options.migrations,
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    applicationName: options.applicationName,
    extra: { max: config.DATABASE_POOL_SIZE, connectionTimeoutMillis: 5000 },
  };
}

/** TypeORM for one service: its schema, its migrations run at boot under an advisory lock. */
export class DatabaseModule {
  static forRoot(options: DatabaseOptions): DynamicModule {
    return TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: BaseConfig) => dataSourceOptions(config, options),
      dataSourceFactory: async (resolved) => {
        const dataSource = await new DataSource(resolved!).initialize();
        await runMigrationsLocked(dataSource, options.schema);
        return dataSource;
      },
    });
  }
}
