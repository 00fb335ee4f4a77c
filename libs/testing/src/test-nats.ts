import { connect, type NatsConnection } from 'nats';
import { randomBytes } from 'node:crypto';

export const TEST_NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

/** A namespace no other run uses: its subjects, streams and consumers are private to the test. */
export function testNamespace(label = 't'): string {
  return `${label
    .replace(/[^a-z0-9]/gi, '')
    .toLowerCase()
    .slice(0, 12)}${randomBytes(4).toString('hex')}`;
}

export function connectTestNats(): Promise<NatsConnection> {
  return connect({ servers: TEST_NATS_URL, noAsyncTraces: true });
}

/**
 * Deletes every stream the namespace created, its KV buckets (streams named
 * `KV_<NAMESPACE>_…`) included, and fails if any is still there: a run leaves
 * nothing behind on the server.
 */
export async function deleteNamespaceStreams(namespace: string): Promise<void> {
  const nc = await connectTestNats();
  try {
    const jsm = await nc.jetstreamManager();
    const prefix = `${namespace.toUpperCase().replace(/-/g, '_')}_`;
    const ours = (name: string) => name.startsWith(prefix) || name.startsWith(`KV_${prefix}`);
    for await (const info of jsm.streams.list()) {
      if (ours(info.config.name)) await jsm.streams.delete(info.config.name);
    }
    const left: string[] = [];
    for await (const info of jsm.streams.list()) if (ours(info.config.name)) left.push(info.config.name);
    if (left.length) throw new Error(`namespace ${namespace} left streams behind: ${left.join(', ')}`);
  } finally {
    await nc.close();
  }
}
