export * from './secret-box';
export * from './uuid-v5';
