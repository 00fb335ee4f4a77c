import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import { REDACT_PATHS } from './redaction';

/** `auto`: readable lines on a terminal, JSON when the output goes to a file, a pipe or a log shipper. */
export type LogFormat = 'auto' | 'json' | 'pretty';

export interface RootLoggerOptions {
  service: string;
  level: string;
  format?: LogFormat;
  destination?: pino.DestinationStream;
}

/** One pino instance per process; Fastify and Nest's Logger both write through it, redacted either way. */
export function createRootLogger(options: RootLoggerOptions): Logger {
  const prettyOutput = !options.destination && (options.format === 'pretty' || (options.format === 'auto' && process.stdout.isTTY === true));
  return pino(
    {
      level: options.level,
      base: { service: options.service, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ??
      (prettyOutput
        ? pretty({ colorize: process.stdout.isTTY === true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service', singleLine: true, sync: true })
        : pino.destination({ sync: false })),
  );
}
