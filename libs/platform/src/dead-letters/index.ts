export * from './dead-letter.repository';
export * from './dead-letter.module';
