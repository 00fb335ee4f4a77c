import type { LoggerService } from '@nestjs/common';
import type { Logger } from 'pino';

const NEST_BOOT_CONTEXTS = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication']);

/**
 * Adapts pino to Nest's LoggerService so `new Logger(ClassName.name)` in any
 * class writes JSON through the same redacting instance.
 */
export class PinoLoggerService implements LoggerService {
  constructor(private readonly root: Logger) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(asked: 'info' | 'error' | 'warn' | 'debug' | 'trace' | 'fatal', message: unknown, rest: unknown[]): void {
    // Nest passes the context (class name) last. Our own call sites pass `(fields, 'text')`;
    // Nest's internals pass `(text, stack)` to error().
    const args = [...rest];
    const context = args.length > 0 && typeof args[args.length - 1] === 'string' ? (args.pop() as string) : undefined;
    // Nest's boot chatter (a line per module and route) is for debugging, not for every start.
    const level = asked === 'info' && context && NEST_BOOT_CONTEXTS.has(context) ? 'debug' : asked;
    const fields: Record<string, unknown> = context ? { context } : {};
    const isObject = message !== null && typeof message === 'object' && !(message instanceof Error);
    let text: string | undefined;
    for (const extra of args) {
      if (extra instanceof Error) fields.err = extra;
      else if (typeof extra === 'string') {
        if (isObject && text === undefined) text = extra;
        else fields.stack = extra;
      } else if (extra && typeof extra === 'object') Object.assign(fields, extra);
    }
    if (message instanceof Error) this.root[level]({ ...fields, err: message }, message.message);
    else if (isObject) this.root[level]({ ...fields, ...(message as object) }, text);
    else this.root[level](fields, String(message));
  }
}
