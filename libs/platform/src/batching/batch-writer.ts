interface Pending<T> {
  item: T;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Gathers writes that finish within a few milliseconds of each other and
 * makes them one statement: under load, one commit for many deliveries
 * instead of one each. Each caller's promise settles with its batch, so a
 * caller still knows whether its own write landed.
 */
export class BatchWriter<T> {
  private pending: Pending<T>[] = [];
  private timer?: NodeJS.Timeout;
  private readonly writing = new Set<Promise<void>>();

  constructor(
    private readonly write: (items: T[]) => Promise<void>,
    private readonly maxBatch = 256,
    private readonly lingerMs = 2,
  ) {}

  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.pending.length >= this.maxBatch) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.lingerMs);
    });
  }

  /** Writes what is pending now and waits for every batch in progress (shutdown). */
  async drain(): Promise<void> {
    this.flush();
    await Promise.allSettled([...this.writing]);
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    if (!batch.length) return;
    this.pending = [];
    const done = this.write(batch.map((p) => p.item)).then(
      () => batch.forEach((p) => p.resolve()),
      (err: unknown) => batch.forEach((p) => p.reject(err)),
    );
    this.writing.add(done);
    void done.finally(() => this.writing.delete(done));
  }
}
