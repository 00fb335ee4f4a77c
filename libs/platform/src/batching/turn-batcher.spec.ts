import { TurnBatcher } from './turn-batcher';

describe('TurnBatcher', () => {
  it('starts the tasks of one turn together, after the turn, in the order they came', async () => {
    const batcher = new TurnBatcher();
    const started: string[] = [];
    const task = (name: string) => () => {
      started.push(name);
      return Promise.resolve(name);
    };
    const done = Promise.all([batcher.run(task('a')), batcher.run(task('b')), batcher.run(task('c'))]);
    // Nothing has started synchronously, nor after the current microtasks: they wait for the turn's end.
    expect(started).toEqual([]);
    await Promise.resolve();
    expect(started).toEqual([]);
    // By the next macrotask they have all started, in order, in one go.
    const seenAtImmediate: string[][] = [];
    setImmediate(() => seenAtImmediate.push([...started]));
    await expect(done).resolves.toEqual(['a', 'b', 'c']);
    await new Promise((r) => setImmediate(r));
    expect(seenAtImmediate[0]).toEqual(['a', 'b', 'c']);
  });

  it('passes each task its own failure, a synchronous throw included, and keeps going', async () => {
    const batcher = new TurnBatcher();
    const failing = batcher.run(() => Promise.reject(new Error('refused')));
    const throwing = batcher.run(() => {
      throw new Error('thrown');
    });
    const fine = batcher.run(() => Promise.resolve(7));
    await expect(failing).rejects.toThrow('refused');
    await expect(throwing).rejects.toThrow('thrown');
    await expect(fine).resolves.toBe(7);
  });

  it('a task queued while a batch runs goes in the next one', async () => {
    const batcher = new TurnBatcher();
    const order: string[] = [];
    let inner: Promise<void> | undefined;
    await batcher.run(async () => {
      order.push('first');
      inner = batcher.run(async () => void order.push('second'));
      order.push('first done');
    });
    await inner;
    expect(order).toEqual(['first', 'first done', 'second']);
  });
});
