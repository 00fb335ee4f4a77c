export * from './audit-actor';
export * from './audit.repository';
export * from './audited.interceptor';
export * from './audit.module';
