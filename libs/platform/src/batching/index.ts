export * from './batch-writer';
export * from './turn-batcher';
