export * from './correlation-id';
export * from './service-bootstrap';
export * from './zod-openapi';
export * from './admin-key.guard';
export * from './keyset-cursor';
