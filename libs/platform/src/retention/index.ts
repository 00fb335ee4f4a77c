export * from './retention.module';
export * from './retention.service';
export * from './purge-batch';
