export * from './scope-catalogue';
