export * from './migration.runner';
export * from './database.module';
