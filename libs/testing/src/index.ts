export * from './test-database';
export * from './test-nats';
export * from './log-capture';
export * from './free-port';
export * from './service-process';
export * from './route-docs';
