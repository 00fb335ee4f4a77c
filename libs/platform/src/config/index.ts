export * from './config.loader';
export * from './base-config.schema';
export * from './config.module';
