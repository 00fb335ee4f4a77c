export * from './token-button.schema';
export * from './message.schema';
export * from './names.schema';
