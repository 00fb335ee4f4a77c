export * from './answer-cache';
