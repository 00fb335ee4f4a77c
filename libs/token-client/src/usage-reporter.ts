import { Logger } from '@nestjs/common';
import { Subjects, type TokenUsedV1 } from '@zapgate/contracts';
import type { JetStreamService } from '@zapgate/platform';
import { randomUUID } from 'node:crypto';

const HOUR_MS = 3_600_000;

/**
 * Counts the token uses a verifier answers from its cache, per token and
 * hour, and reports them to token-service as one event every few seconds:
 * usage stays exact without a round trip or a database write per request.
 * A report that cannot be published is kept and merged into the next; the
 * last one goes out when the service shuts down. A kill -9 loses at most one
 * interval, as token-service's own counter does.
 */
export class UsageReporter {
  private readonly logger = new Logger(UsageReporter.name);
  private readonly reporter = `verifier-${randomUUID()}`;
  private seq = 0;
  private counts = new Map<string, { tokenId: string; hour: number; count: number; lastUsedAt: number; lastIp: string | null }>();
  private timer?: NodeJS.Timeout;
  private sending?: Promise<void>;

  constructor(
    private readonly jetstream: JetStreamService,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  count(tokenId: string, ip: string | undefined, at = Date.now()): void {
    const hour = Math.floor(at / HOUR_MS) * HOUR_MS;
    const key = `${tokenId}|${hour}`;
    const entry = this.counts.get(key);
    if (entry) {
      entry.count++;
      entry.lastUsedAt = Math.max(entry.lastUsedAt, at);
      entry.lastIp = ip ?? entry.lastIp;
    } else {
      this.counts.set(key, { tokenId, hour, count: 1, lastUsedAt: at, lastIp: ip ?? null });
    }
  }

  /** Publishes what has been counted; concurrent callers share one report. */
  flush(): Promise<void> {
    this.sending ??= this.send().finally(() => (this.sending = undefined));
    return this.sending;
  }

  private async send(): Promise<void> {
    if (!this.counts.size) return;
    const batch = this.counts;
    this.counts = new Map();
    const seq = this.seq++;
    const report: TokenUsedV1 = {
      reporter: this.reporter,
      seq,
      uses: [...batch.values()].map((u) => ({
        tokenId: u.tokenId,
        hour: new Date(u.hour).toISOString(),
        count: u.count,
        lastUsedAt: new Date(u.lastUsedAt).toISOString(),
        lastIp: u.lastIp,
      })),
    };
    try {
      await this.jetstream.publish(Subjects.TokenUsed, report, { msgID: `${this.reporter}:${seq}` });
    } catch (err) {
      this.logger.warn({ err, pending: batch.size }, 'could not report token usage; keeping the counts for the next report');
      for (const [key, u] of batch) {
        const newer = this.counts.get(key);
        if (newer) {
          newer.count += u.count;
          if (u.lastUsedAt > newer.lastUsedAt) Object.assign(newer, { lastUsedAt: u.lastUsedAt, lastIp: u.lastIp ?? newer.lastIp });
        } else this.counts.set(key, u);
      }
    }
  }
}
