import { Injectable, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import { Subjects } from '@zapgate/contracts';
import { JetStreamService } from '@zapgate/platform';
import type { Subscription } from 'nats';

type Listener = () => void;

/**
 * Wakes live readers of a target when any replica stores a message there.
 * The broadcast carries no message: readers then read the store from their
 * last position, so a lost wake-up only delays them until the next one or the
 * periodic re-read.
 */
@Injectable()
export class LiveFeed implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly closers = new Set<() => void>();
  /** Open streams' sockets, for the buffered-bytes gauge. */
  readonly streams = new Set<{ writableLength: number }>();
  private subscription?: Subscription;

  constructor(private readonly jetstream: JetStreamService) {}

  onApplicationBootstrap(): void {
    this.subscription = this.jetstream.listen(Subjects.MessageStored, ({ targetId }) => this.wake(targetId));
  }

  /** Open streams are ended first, or the HTTP server would wait for them forever on shutdown. */
  beforeApplicationShutdown(): void {
    for (const close of this.closers) close();
    this.subscription?.unsubscribe();
  }

  announce(messageId: string, targetId: string, seq: string): void {
    this.jetstream.broadcast(Subjects.MessageStored, { messageId, targetId, seq });
  }

  /** Returns the function that stops listening. `close` is called if the service shuts down first. */
  listen(targetId: string, listener: Listener, close: () => void): () => void {
    const set = this.listeners.get(targetId) ?? new Set<Listener>();
    set.add(listener);
    this.listeners.set(targetId, set);
    this.closers.add(close);
    return () => {
      set.delete(listener);
      if (!set.size) this.listeners.delete(targetId);
      this.closers.delete(close);
    };
  }

  private wake(targetId: string): void {
    for (const listener of this.listeners.get(targetId) ?? []) listener();
  }
}
