export * from './token-button.schema';
