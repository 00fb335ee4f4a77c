export * from './domain.exception';
export * from './zod-details';
export * from './http-exception.filter';
export * from './dependency-failure';
