export * from './subjects';
export * from './events';
export * from './rpc';
export * from './http';
export * from './cliq';
export * from './scopes';
export * from './operations';
