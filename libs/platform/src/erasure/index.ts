export * from './user-erasure.handler';
