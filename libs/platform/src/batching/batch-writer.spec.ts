import { BatchWriter } from './batch-writer';

describe('BatchWriter', () => {
  it('makes the writes of one moment one batch, and settles each caller with it', async () => {
    const batches: number[][] = [];
    const writer = new BatchWriter<number>(async (items) => {
      batches.push(items);
    }, 3);
    await Promise.all([1, 2, 3, 4, 5].map((n) => writer.add(n)));
    expect(batches).toEqual([
      [1, 2, 3],
      [4, 5],
    ]); // full at 3; the rest after the linger
  });

  it('rejects every caller of a failed batch, and keeps going', async () => {
    let fail = true;
    const writer = new BatchWriter<string>(async () => {
      if (fail) throw new Error('database down');
    });
    const first = await Promise.allSettled([writer.add('a'), writer.add('b')]);
    expect(first.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    await expect(writer.add('c')).resolves.toBeUndefined();
  });

  it('writes what is pending on drain', async () => {
    const seen: string[] = [];
    const writer = new BatchWriter<string>(
      async (items) => {
        seen.push(...items);
      },
      100,
      60_000,
    );
    const pending = writer.add('x');
    await writer.drain();
    await pending;
    expect(seen).toEqual(['x']);
  });
});
