import { Logger } from '@nestjs/common';
import { ErrorCode, NatsError } from 'nats';
import { isJetStreamStarting, whileJetStreamStarts } from './while-jetstream-starts';

const apiError = (code: number, err_code: number) => Object.assign(new NatsError('api', '500'), { api_error: { code, err_code, description: 'x' } });

describe('whileJetStreamStarts', () => {
  const logger = new Logger('test');
  beforeAll(() => Logger.overrideLogger(false));

  it('tells "not yet" from "no"', () => {
    expect(isJetStreamStarting(NatsError.errorForCode(ErrorCode.Timeout))).toBe(true);
    expect(isJetStreamStarting(NatsError.errorForCode(ErrorCode.NoResponders))).toBe(true);
    expect(isJetStreamStarting(apiError(503, 10008))).toBe(true); // JetStream temporarily unavailable
    expect(isJetStreamStarting(apiError(500, 10023))).toBe(true); // insufficient resources: a node is still down
    expect(isJetStreamStarting(apiError(400, 10065))).toBe(true); // subjects overlap: the same stream, created by another replica just now
    expect(isJetStreamStarting(apiError(400, 10058))).toBe(false); // stream name in use with another config
    expect(isJetStreamStarting(new Error('boom'))).toBe(false);
  });

  it('tries again while JetStream is starting, and gives up at once on anything else', async () => {
    const failures = [NatsError.errorForCode(ErrorCode.Timeout), apiError(503, 10008)];
    let calls = 0;
    const provisioned = await whileJetStreamStarts(
      'stream',
      async () => {
        calls++;
        const failure = failures.shift();
        if (failure) throw failure;
        return 'ready';
      },
      logger,
    );
    expect([provisioned, calls]).toEqual(['ready', 3]);
    calls = 0;
    await expect(
      whileJetStreamStarts(
        'stream',
        async () => {
          calls++;
          throw apiError(400, 10058);
        },
        logger,
      ),
    ).rejects.toThrow();
    expect(calls).toBe(1);
  });
});
