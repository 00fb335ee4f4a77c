import { Logger } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import type { MetricsService } from '../metrics/metrics.service';

export interface ConsumerState {
  consumer: string;
  /** Events not yet delivered to any replica. */
  waiting: number;
  /** Delivered, not yet acknowledged: in handlers or waiting for a retry. */
  unacknowledged: number;
  /** Events wait, and none has been delivered for longer than the stall time. */
  stalled: boolean;
  /** Since when nothing new was delivered while events waited (ISO), if so. */
  idleSince?: string;
}

interface Watched {
  stream: string;
  durable: string;
  lastDelivered?: number;
  idleSince?: number;
  state?: ConsumerState;
}

/**
 * Whether each durable consumer makes progress: a consumer is stalled when
 * events wait for it and JetStream has delivered none for the stall time —
 * every place is held (by poison, by hung handlers) or no replica pulls.
 * Read from the server's consumer info, so every replica sees the same.
 */
export class ConsumerProgress {
  private readonly logger = new Logger(ConsumerProgress.name);
  private readonly watched = new Map<string, Watched>();
  private timer?: NodeJS.Timeout;
  private sampledAt = 0;

  constructor(
    private readonly nc: NatsConnection,
    metrics: MetricsService,
    private readonly stallMs: number,
  ) {
    const read = (pick: (s: ConsumerState) => number) => async (gauge: { set(labels: { consumer: string }, v: number): void }) => {
      for (const s of await this.states()) gauge.set({ consumer: s.consumer }, pick(s));
    };
    metrics.gauge(
      'zapgate_consumer_stalled',
      '1 while a consumer has events waiting and has delivered none for CONSUMER_STALL_SECONDS.',
      ['consumer'],
      read((s) => Number(s.stalled)),
    );
    metrics.gauge(
      'zapgate_consumer_waiting_events',
      'Events not yet delivered by a durable consumer.',
      ['consumer'],
      read((s) => s.waiting),
    );
    metrics.gauge(
      'zapgate_consumer_unacknowledged_events',
      'Events delivered and not yet acknowledged (in handlers or waiting for a retry).',
      ['consumer'],
      read((s) => s.unacknowledged),
    );
  }

  watch(consumer: string, stream: string, durable: string): void {
    this.watched.set(consumer, { stream, durable });
    this.timer ??= setInterval(() => void this.sample(), Math.max(250, Math.min(5000, this.stallMs / 4))).unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The reading of every watched consumer, at most a second old. */
  async states(): Promise<ConsumerState[]> {
    if (Date.now() - this.sampledAt > 1000) await this.sample();
    return [...this.watched.values()].flatMap((w) => (w.state ? [w.state] : []));
  }

  private async sample(): Promise<void> {
    if (this.nc.isClosed()) return;
    this.sampledAt = Date.now();
    try {
      const jsm = await this.nc.jetstreamManager();
      const now = Date.now();
      for (const [consumer, w] of this.watched) {
        const info = await jsm.consumers.info(w.stream, w.durable);
        const delivered = info.delivered.stream_seq;
        // Progress is a delivery of an event not delivered before; with nothing waiting there is nothing to make.
        if (info.num_pending === 0) w.idleSince = undefined;
        else if (delivered !== w.lastDelivered || w.idleSince === undefined) w.idleSince = now;
        w.lastDelivered = delivered;
        const stalled = w.idleSince !== undefined && now - w.idleSince >= this.stallMs;
        if (stalled && !w.state?.stalled)
          this.logger.error(
            { consumer, waiting: info.num_pending, unacknowledged: info.num_ack_pending },
            'consumer stalled: events wait and none is delivered',
          );
        w.state = {
          consumer,
          waiting: info.num_pending,
          unacknowledged: info.num_ack_pending,
          stalled,
          ...(w.idleSince !== undefined ? { idleSince: new Date(w.idleSince).toISOString() } : {}),
        };
      }
    } catch (err) {
      this.logger.warn({ err }, 'could not read consumer progress');
    }
  }
}
