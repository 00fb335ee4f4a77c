export * from './redaction';
export * from './logger.factory';
export * from './pino-logger.service';
