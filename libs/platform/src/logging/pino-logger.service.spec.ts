import { LogCapture } from '@zapgate/testing';
import { createRootLogger } from './logger.factory';
import { PinoLoggerService } from './pino-logger.service';

async function capture(write: (logger: PinoLoggerService) => void): Promise<Record<string, unknown>[]> {
  const sink = new LogCapture();
  const root = createRootLogger({ service: 'test', level: 'trace', destination: sink });
  write(new PinoLoggerService(root));
  root.flush();
  await new Promise((r) => setImmediate(r));
  return sink.entries();
}

describe('PinoLoggerService', () => {
  it('logs (fields, text, context) as fields plus msg', async () => {
    const [entry] = await capture((l) => l.log({ signal: 'SIGTERM' }, 'shutting down', 'Shutdown'));
    expect(entry).toMatchObject({ level: 'info', signal: 'SIGTERM', msg: 'shutting down', context: 'Shutdown' });
    expect(entry).not.toHaveProperty('stack');
  });

  it("keeps Nest's (text, stack, context) form for errors", async () => {
    const [entry] = await capture((l) => l.error('boom', 'Error: boom\n    at x', 'ExceptionsHandler'));
    expect(entry).toMatchObject({ level: 'error', msg: 'boom', stack: 'Error: boom\n    at x', context: 'ExceptionsHandler' });
  });

  it('serialises an Error message with its stack', async () => {
    const [entry] = await capture((l) => l.warn(new Error('bad'), 'Ctx'));
    expect(entry).toMatchObject({ level: 'warn', msg: 'bad', context: 'Ctx' });
    expect((entry.err as { stack: string }).stack).toContain('Error: bad');
  });

  it("moves Nest's boot lines (a line per module and route) to debug, and keeps the rest", async () => {
    const entries = await capture((l) => {
      l.log('Mapped {/api/v1/tokens, GET} route', 'RouterExplorer');
      l.log('AppModule dependencies initialized', 'InstanceLoader');
      l.log('listening', 'Bootstrap');
      l.warn('slow', 'RouterExplorer');
    });
    expect(entries.map((e) => [e.context, e.level])).toEqual([
      ['RouterExplorer', 'debug'],
      ['InstanceLoader', 'debug'],
      ['Bootstrap', 'info'],
      ['RouterExplorer', 'warn'],
    ]);
  });
});
