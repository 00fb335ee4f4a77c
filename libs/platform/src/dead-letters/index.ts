export * from './dead-letter.repository';
export * from './dead-letter.module';
export * from './dead-letter-retrier.service';
export * from './dead-letter-retry.migration';
