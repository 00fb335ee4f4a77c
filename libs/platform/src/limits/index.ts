export * from './rate-limiter';
export * from './rate-window.repository';
export * from './shared-rate-limiter';
export * from './rate-windows';
