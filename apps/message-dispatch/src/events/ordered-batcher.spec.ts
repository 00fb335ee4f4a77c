import { OrderedBatcher } from './ordered-batcher';

/** A writer that records each batch and answers when told to. */
function recorder(fail: (item: string) => boolean = () => false) {
  const batches: string[][] = [];
  const gates: (() => void)[] = [];
  const write = async (_key: string, items: string[]) => {
    batches.push(items);
    await new Promise<void>((r) => gates.push(r));
    if (items.some(fail)) throw new Error(`refused ${items.join(',')}`);
    return items.map((i) => `stored:${i}`);
  };
  const openAll = async () => {
    for (let n = 0; n < 50 && (gates.length || n < 3); n++) {
      gates.splice(0).forEach((g) => g());
      await new Promise((r) => setImmediate(r));
    }
  };
  return { batches, write, openAll };
}

describe('OrderedBatcher', () => {
  it('writes one key in slot order although items arrive out of order, batching those that are ready', async () => {
    const r = recorder();
    const b = new OrderedBatcher(r.write);
    const [s1, s2, s3, s4] = [b.reserve('t'), b.reserve('t'), b.reserve('t'), b.reserve('t')];
    const p3 = s3.submit('3');
    const p2 = s2.submit('2');
    expect(r.batches).toEqual([]); // slot 1 is not ready: nothing behind it may go first
    const p1 = s1.submit('1');
    expect(r.batches).toEqual([['1', '2', '3']]);
    const p4 = s4.submit('4'); // ready while the first batch is being written: waits for it
    expect(r.batches).toHaveLength(1);
    await r.openAll();
    expect(r.batches).toEqual([['1', '2', '3'], ['4']]);
    expect(await Promise.all([p1, p2, p3, p4])).toEqual(['stored:1', 'stored:2', 'stored:3', 'stored:4']);
  });

  it('lets a skipped slot pass, and never holds one key behind another', async () => {
    const r = recorder();
    const b = new OrderedBatcher(r.write);
    const a1 = b.reserve('a');
    const a2 = b.reserve('a');
    const c1 = b.reserve('c');
    const pc = c1.submit('c1');
    expect(r.batches).toEqual([['c1']]);
    const pa = a2.submit('a2');
    expect(r.batches).toHaveLength(1);
    a1.skip();
    expect(r.batches).toEqual([['c1'], ['a2']]);
    await r.openAll();
    expect(await Promise.all([pa, pc])).toEqual(['stored:a2', 'stored:c1']);
    expect(b.size).toBe(0);
  });

  it('writes a failed batch again one by one, so only the refused item fails', async () => {
    const r = recorder((i) => i === 'bad');
    const b = new OrderedBatcher(r.write);
    const head = b.reserve('t');
    const slots = ['x', 'bad', 'y'].map(() => b.reserve('t'));
    const results = slots.map((s, i) =>
      s.submit(['x', 'bad', 'y'][i]).then(
        (v) => v,
        (e: Error) => `failed: ${e.message}`,
      ),
    );
    head.skip();
    await r.openAll();
    expect(await Promise.all(results)).toEqual(['stored:x', 'failed: refused bad', 'stored:y']);
    expect(r.batches).toEqual([['x', 'bad', 'y'], ['x'], ['bad'], ['y']]);
  });

  it('caps a batch', async () => {
    const r = recorder();
    const b = new OrderedBatcher(r.write, 2);
    const head = b.reserve('t');
    const slots = [1, 2, 3, 4, 5].map(() => b.reserve('t'));
    const done = Promise.all(slots.map((s, i) => s.submit(String(i + 1))));
    head.skip();
    await r.openAll();
    await done;
    expect(r.batches).toEqual([['1', '2'], ['3', '4'], ['5']]);
  });
});
