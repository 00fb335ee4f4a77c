export * from './ssrf-guard';
export * from './outbound-http';
