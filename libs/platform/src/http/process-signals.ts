import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Server } from 'node:http';
import { APP_CONFIG, type BaseConfig } from '../config';
import { MetricsService } from '../metrics/metrics.service';

/**
 * The signals a service answers. SIGTERM/SIGINT: stop taking requests (open connections are cut at half
 * the grace period), let consumers finish and ack, drain NATS, close the pool, then exit 0. A shutdown that hangs past
 * SHUTDOWN_GRACE_MS exits 1 so the supervisor is not kept waiting.
 */
export function handleSignals(app: NestFastifyApplication, name: string): void {
  const config = app.get<BaseConfig>(APP_CONFIG);
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    new Logger('Shutdown').log({ signal }, 'shutting down');
    setTimeout(() => {
      // What still holds the process says which part of the shutdown hangs (sockets, timers, a pool).
      const holding = process.getActiveResourcesInfo().join(', ');
      process.stderr.write(`${name}: shutdown took longer than ${config.SHUTDOWN_GRACE_MS} ms; exiting (still active: ${holding})\n`);
      process.exit(1);
    }, config.SHUTDOWN_GRACE_MS).unref();
    // A keep-alive socket that closing missed (idle a moment too late) would hold the server open until
    // its keep-alive timeout (72 s): past half the grace, in-flight requests have had their time, so every
    // connection still open is closed and the rest of the shutdown (consumers, NATS, database) goes on.
    const server = app.getHttpServer() as Server;
    setTimeout(
      () => {
        server.getConnections((_err, open) => {
          if (open > 0) new Logger('Shutdown').warn({ open }, 'connections still open: closing them');
          server.closeAllConnections();
        });
      },
      Math.floor(config.SHUTDOWN_GRACE_MS / 2),
    ).unref();
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`${name}: shutdown failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  // Started with --expose-gc (leak checks, profiling), SIGUSR2 runs a full collection: heap figures read afterwards are live data only.
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc === 'function') {
    // Counted once done, so a reader knows the collection has run before it reads the heap (no sleep to guess by).
    const collections = app
      .get(MetricsService)
      .counter('zapgate_process_full_gc_total', 'Full collections run on SIGUSR2 (processes started with --expose-gc).');
    process.on('SIGUSR2', () => {
      gc();
      collections.inc();
    });
  }
}
