export interface Turn {
  /** Resolves when every earlier turn of the same key is done. */
  ready: Promise<void>;
  done(): void;
}

/**
 * Hands out turns per key in the order they are asked for: work for one key
 * is finished one after another, in submission order, while the slow part
 * before it (a handler call, say) and other keys run side by side. The
 * consumer asks in stream order, so one target's messages are stored in the
 * order they were ingested even with many events in flight.
 */
export class KeyedSerializer {
  private readonly tails = new Map<string, Promise<void>>();

  reserve(key: string): Turn {
    const ready = this.tails.get(key) ?? Promise.resolve();
    let done!: () => void;
    const mine = new Promise<void>((resolve) => (done = resolve));
    this.tails.set(key, mine);
    void mine.then(() => {
      if (this.tails.get(key) === mine) this.tails.delete(key);
    });
    return { ready, done };
  }

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const turn = this.reserve(key);
    try {
      await turn.ready;
      return await task();
    } finally {
      turn.done();
    }
  }

  get size(): number {
    return this.tails.size;
  }
}
