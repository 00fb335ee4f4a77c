import pino, { type Logger } from 'pino';
import { REDACT_PATHS } from './redaction';

export interface RootLoggerOptions {
  service: string;
  level: string;
  destination?: pino.DestinationStream;
}

/** One pino instance per process; Fastify and Nest's Logger both write through it. */
export function createRootLogger(options: RootLoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: options.service, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? pino.destination({ sync: false }),
  );
}
