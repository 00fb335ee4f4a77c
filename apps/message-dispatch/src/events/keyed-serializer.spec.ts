import { KeyedSerializer } from './keyed-serializer';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('KeyedSerializer', () => {
  it('runs one key in submission order and other keys alongside', async () => {
    const serializer = new KeyedSerializer();
    const log: string[] = [];
    const work = (key: string, n: number, ms: number) => serializer.run(key, async () => {
      log.push(`${key}${n}:start`);
      await sleep(ms);
      log.push(`${key}${n}:end`);
    });
    await Promise.all([work('a', 1, 30), work('a', 2, 1), work('b', 1, 5)]);
    expect(log.indexOf('a1:end')).toBeLessThan(log.indexOf('a2:start'));
    expect(log.indexOf('b1:end')).toBeLessThan(log.indexOf('a1:end'));
    expect(serializer.size).toBe(0);
  });

  it('keeps going after a task fails', async () => {
    const serializer = new KeyedSerializer();
    await expect(serializer.run('k', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(serializer.run('k', async () => 42)).resolves.toBe(42);
  });
});

describe('KeyedSerializer turns', () => {
  it('lets work before the turn overlap but finishes turns in the order they were reserved', async () => {
    const serializer = new KeyedSerializer();
    const finished: number[] = [];
    await Promise.all(
      [30, 1, 10].map(async (prepMs, i) => {
        const turn = serializer.reserve('k');
        await sleep(prepMs); // e.g. a handler call, outside the turn
        await turn.ready;
        finished.push(i);
        turn.done();
      }),
    );
    expect(finished).toEqual([0, 1, 2]);
    expect(serializer.size).toBe(0);
  });
});
