import { freePort } from '@zapgate/testing';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';

interface Node {
  name: string;
  port: number;
  clusterPort: number;
  child?: ChildProcess;
}

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = tcpConnect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

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
    n.child = spawn(
      'nats-server',
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

  private async waitListening(port: number): Promise<void> {
    for (let i = 0; i < 200; i++) {
      if (await listening(port)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`nats-server on ${port} did not start`);
  }

  /** JetStream in a cluster answers once its meta group has a leader. */
  private async waitForJetStream(): Promise<void> {
    for (let i = 0; i < 300; i++) {
      const ok = await this.withClient(async (nc) => Boolean(await (await nc.jetstreamManager()).getAccountInfo())).catch(() => false);
      if (ok) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error('JetStream did not elect a meta leader');
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
