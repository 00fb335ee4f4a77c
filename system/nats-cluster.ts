import { freePort } from '@zapgate/testing';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';

interface Node {
  name: string;
  port: number;
  clusterPort: number;
  child?: ChildProcess;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const infra = require('../scripts/local-infra') as {
  listening(port: number): Promise<boolean>;
  waitFor(check: () => Promise<boolean>, what: string, timeoutMs?: number): Promise<void>;
  findNatsServer(): string | undefined;
};

/**
 * Three nats-server processes clustered on loopback (routes between all of them, JetStream on
 * each, one store directory per node), so a test can kill -9 a node — the stream leader included —
 * and start it again on the same ports and store.
 */
export class NatsCluster {
  private readonly nodes: Node[] = [];

  constructor(
    private readonly dir: string,
    private readonly size = 3,
  ) {}

  async start(): Promise<void> {
    for (let i = 0; i < this.size; i++) this.nodes.push({ name: `n${i + 1}`, port: await freePort(), clusterPort: await freePort() });
    for (let i = 0; i < this.size; i++) this.spawn(i);
    await Promise.all(this.nodes.map((n) => this.waitListening(n.port)));
    await this.waitForJetStream();
  }

  /** Every node's client URL, comma-separated, as NATS_URL takes them. */
  get url(): string {
    return this.nodes.map((n) => `nats://127.0.0.1:${n.port}`).join(',');
  }

  names(): string[] {
    return this.nodes.map((n) => n.name);
  }

  async kill9(name: string): Promise<void> {
    const node = this.node(name);
    const child = node.child;
    node.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  async restart(name: string): Promise<void> {
    const i = this.nodes.indexOf(this.node(name));
    this.spawn(i);
    await this.waitListening(this.nodes[i].port);
  }

  /** The node that leads a stream now (it moves when its leader dies). */
  async leaderOf(stream: string): Promise<string> {
    return this.withClient(async (nc) => {
      const info = await (await nc.jetstreamManager()).streams.info(stream);
      if (!info.cluster?.leader) throw new Error(`${stream} has no leader`);
      return info.cluster.leader;
    });
  }

  /** Whether a stream has a leader and every replica is current (after a node came back). */
  async healthy(stream: string): Promise<boolean> {
    return this.withClient(async (nc) => {
      const info = await (await nc.jetstreamManager()).streams.info(stream);
      const replicas = info.cluster?.replicas ?? [];
      return Boolean(info.cluster?.leader) && replicas.length === this.size - 1 && replicas.every((r) => r.current && !r.offline);
    }).catch(() => false);
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.nodes.map(async (n) => {
        const child = n.child;
        if (!child || child.exitCode !== null) return;
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }),
    );
  }

  private node(name: string): Node {
    const node = this.nodes.find((n) => n.name === name);
    if (!node) throw new Error(`no NATS node ${name}`);
    return node;
  }

  private spawn(i: number): void {
    const n = this.nodes[i];
    const store = join(this.dir, n.name);
    mkdirSync(store, { recursive: true });
    const routes = this.nodes.filter((o) => o !== n).map((o) => `nats://127.0.0.1:${o.clusterPort}`);
    const binary = infra.findNatsServer();
    if (!binary) throw new Error('nats-server is not installed (Debian/Ubuntu: apt-get install nats-server)');
    n.child = spawn(
      binary,
      [
        '-js',
        '-a',
        '127.0.0.1',
        '-p',
        String(n.port),
        '-sd',
        store,
        '-n',
        n.name,
        '--cluster_name',
        'zapgate-test',
        '--cluster',
        `nats://127.0.0.1:${n.clusterPort}`,
        '--routes',
        routes.join(','),
      ],
      { stdio: 'ignore' },
    );
  }

  private waitListening(port: number): Promise<void> {
    return infra.waitFor(() => infra.listening(port), `nats-server on ${port}`, 20_000);
  }

  /** JetStream in a cluster answers once its meta group has a leader. */
  private waitForJetStream(): Promise<void> {
    const ready = () => this.withClient(async (nc) => Boolean(await (await nc.jetstreamManager()).getAccountInfo())).catch(() => false);
    return infra.waitFor(ready, 'a JetStream meta leader', 60_000);
  }

  private async withClient<T>(task: (nc: NatsConnection) => Promise<T>): Promise<T> {
    const nc = await connect({ servers: this.url.split(','), noAsyncTraces: true, timeout: 2000 });
    try {
      return await task(nc);
    } finally {
      await nc.close();
    }
  }
}
