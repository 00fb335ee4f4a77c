import type { Logger } from '@nestjs/common';
import { ErrorCode, type NatsError } from 'nats';

/**
 * JetStream's "temporarily unavailable", "insufficient resources" (too few nodes up for the replicas
 * asked), and "subjects overlap with an existing stream": in a cluster, a stream another replica is
 * creating at the same moment (or one whose create timed out here but went through) overlaps before
 * it can be read back by name. A real overlap with another stream is still refused, once the retries run out.
 */
const NOT_YET = new Set([10008, 10023, 10065]);

/**
 * Errors that mean "not yet" rather than "no": a clustered JetStream answers them for a few seconds
 * after the cluster starts or loses a node, while it elects the leaders of its streams.
 */
export function isJetStreamStarting(err: unknown): boolean {
  const e = err as NatsError | undefined;
  return e?.code === ErrorCode.Timeout || e?.code === ErrorCode.NoResponders || e?.api_error?.code === 503 || NOT_YET.has(e?.api_error?.err_code ?? 0);
}

/**
 * Provisioning at boot (streams, consumers, buckets), tried again while JetStream is not ready yet,
 * for up to `withinMs`: replicas and NATS nodes start in any order, and a service that gave up after
 * one timeout would need a person to start it again.
 */
export async function whileJetStreamStarts<T>(what: string, task: () => Promise<T>, logger: Logger, withinMs = 90_000): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await task();
    } catch (err) {
      if (!isJetStreamStarting(err) || Date.now() > deadline) throw err;
      logger.warn({ err: (err as Error).message, attempt }, `${what}: JetStream is not ready yet; trying again`);
      await new Promise((r) => setTimeout(r, Math.min(250 * attempt, 2000)));
    }
  }
}
