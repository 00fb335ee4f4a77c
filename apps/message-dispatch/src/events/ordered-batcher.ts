/** A place in one key's line, taken in stream order; filled when its item is ready, or skipped. */
export interface Slot<I, R> {
  /** Hands the item over; resolves with its result once the batch holding it is written. */
  submit(item: I): Promise<R>;
  /** This event writes nothing (a verdict without a message): the line moves on. */
  skip(): void;
}

interface Entry<I, R> {
  state: 'waiting' | 'filled' | 'skipped';
  item?: I;
  resolve?: (r: R) => void;
  reject?: (err: unknown) => void;
}

/**
 * Per-key ordered batching: slots are taken in stream order, filled whenever
 * each event's slow part (a handler call) is done, and written in slot order,
 * as many consecutive ready items as there are in one batch — one transaction
 * instead of one per item. A slot not yet filled holds back the ones behind
 * it, so one target's messages are stored exactly in ingest order; other keys
 * never wait. A batch that fails is written again one item at a time, so a
 * refused value fails only its own event.
 */
export class OrderedBatcher<I, R> {
  private readonly lines = new Map<string, { entries: Entry<I, R>[]; writing: boolean }>();

  constructor(
    private readonly write: (key: string, items: I[]) => Promise<R[]>,
    private readonly maxBatch = 64,
  ) {}

  reserve(key: string): Slot<I, R> {
    let line = this.lines.get(key);
    if (!line) {
      line = { entries: [], writing: false };
      this.lines.set(key, line);
    }
    const entry: Entry<I, R> = { state: 'waiting' };
    line.entries.push(entry);
    return {
      submit: (item) =>
        new Promise<R>((resolve, reject) => {
          if (entry.state !== 'waiting') return reject(new Error('slot already used'));
          Object.assign(entry, { state: 'filled', item, resolve, reject });
          this.pump(key);
        }),
      skip: () => {
        if (entry.state !== 'waiting') return;
        entry.state = 'skipped';
        this.pump(key);
      },
    };
  }

  /** Keys with events in line (for tests and metrics). */
  get size(): number {
    return this.lines.size;
  }

  private pump(key: string): void {
    const line = this.lines.get(key);
    if (!line || line.writing) return;
    const batch: Entry<I, R>[] = [];
    while (line.entries.length && batch.length < this.maxBatch) {
      const head = line.entries[0];
      if (head.state === 'waiting') break;
      line.entries.shift();
      if (head.state === 'filled') batch.push(head);
    }
    if (!batch.length) {
      if (!line.entries.length) this.lines.delete(key);
      return;
    }
    line.writing = true;
    void this.flush(key, batch).finally(() => {
      line.writing = false;
      this.pump(key);
    });
  }

  private async flush(key: string, batch: Entry<I, R>[]): Promise<void> {
    try {
      const results = await this.write(
        key,
        batch.map((e) => e.item as I),
      );
      batch.forEach((e, i) => e.resolve!(results[i]));
    } catch (err) {
      if (batch.length === 1) return batch[0].reject!(err);
      // One at a time, in order: only the item that cannot be written fails.
      for (const e of batch) {
        try {
          const [result] = await this.write(key, [e.item as I]);
          e.resolve!(result);
        } catch (one) {
          e.reject!(one);
        }
      }
    }
  }
}
