export * from './batch-writer';
