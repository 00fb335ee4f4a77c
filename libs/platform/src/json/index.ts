export * from './json-safety';
export * from './json-body';
