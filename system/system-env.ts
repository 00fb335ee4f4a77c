import { freePort, spawnService, waitForReady, WORKSPACE_ROOT, type ServiceProcess } from '@zapgate/testing';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NatsCluster } from './nats-cluster';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const infra = require('../scripts/local-infra') as {
  startNatsServer(o: { port: number; storeDir: string }): Promise<{ url: string; stop(): Promise<void> }>;
  ensureDatabase(url: string): Promise<boolean>;
};

export const SERVICE_NAMES = ['token-service', 'webhook-ingest', 'message-dispatch', 'oauth-refresh'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];
const PORT_VARS: Record<ServiceName, string> = {
  'token-service': 'TOKEN_SERVICE_PORT',
  'webhook-ingest': 'WEBHOOK_INGEST_PORT',
  'message-dispatch': 'MESSAGE_DISPATCH_PORT',
  'oauth-refresh': 'OAUTH_REFRESH_PORT',
};

/**
 * The whole platform as an operator runs it: its own PostgreSQL (embedded,
 * in a temp directory) and its own nats-server with a private store — or a
 * cluster of three, with `natsNodes: 3` — so both can be stopped and started
 * without touching the machine's servers, and every service twice.
 */
export class SystemEnv {
  readonly dir = mkdtempSync(join(tmpdir(), 'zapgate-system-'));
  readonly adminKey = randomBytes(24).toString('hex');
  env: NodeJS.ProcessEnv = {};
  replicas = {} as Record<ServiceName, ServiceProcess[]>;
  private pg?: { url: string; stop(): Promise<void> };
  private nats?: { url: string; stop(): Promise<void> };
  private pgPort = 0;
  private natsPort = 0;
  /** With natsNodes > 1: the cluster the services connect to (every node's URL in NATS_URL). */
  readonly cluster?: NatsCluster;

  constructor(options: { natsNodes?: number } = {}) {
    if ((options.natsNodes ?? 1) > 1) this.cluster = new NatsCluster(join(this.dir, 'nats'), options.natsNodes);
  }

  async start(extraEnv: NodeJS.ProcessEnv): Promise<void> {
    [this.pgPort, this.natsPort] = await Promise.all([freePort(), freePort()]);
    await this.startPostgres();
    if (this.cluster) await this.cluster.start();
    else await this.startNats();
    const databaseUrl = `${this.pg!.url}/zapgate`;
    await infra.ensureDatabase(databaseUrl);
    const ports = {} as Record<ServiceName, number[]>;
    for (const name of SERVICE_NAMES) ports[name] = [await freePort(), await freePort()];
    this.env = {
      DATABASE_URL: databaseUrl,
      NATS_URL: this.cluster ? this.cluster.url : this.nats!.url,
      ...(this.cluster ? { JETSTREAM_REPLICAS: '3' } : {}),
      ADMIN_API_KEY: this.adminKey,
      TOKEN_PEPPER: randomBytes(32).toString('hex'),
      ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
      PUBLIC_OAUTH_URL: `http://127.0.0.1:${ports['oauth-refresh'][0]}`,
      PUBLIC_INGEST_URL: `http://127.0.0.1:${ports['webhook-ingest'][0]}`,
      LOG_LEVEL: 'warn',
      ...extraEnv,
    };
    // One replica of each first (they run the migrations), then the second.
    for (const replica of [0, 1]) {
      for (const name of SERVICE_NAMES) (this.replicas[name] ??= [])[replica] = this.spawn(name, ports[name][replica]);
      await Promise.all(SERVICE_NAMES.map((name) => waitForReady(this.replicas[name][replica], '/health/ready', 60_000)));
    }
  }

  private readonly everyProcess: ServiceProcess[] = [];

  private spawn(name: ServiceName, port: number): ServiceProcess {
    const process = spawnService(name, port, { ...this.env, [PORT_VARS[name]]: String(port) });
    this.everyProcess.push(process);
    return process;
  }

  /** Log lines of every service process this run started (killed ones included) that match. */
  logLines(match: (line: string) => boolean): string[] {
    return this.everyProcess.flatMap((p) => p.output().split('\n').filter(match));
  }

  urls(name: ServiceName): string[] {
    return this.replicas[name].map((r) => r.baseUrl);
  }

  /** kill -9, a pause, and the same replica started again on its port. */
  async crash(name: ServiceName, replica: number, downMs: number): Promise<void> {
    const victim = this.replicas[name][replica];
    await victim.kill9();
    await new Promise((r) => setTimeout(r, downMs));
    this.replicas[name][replica] = this.spawn(name, Number(new URL(victim.baseUrl).port));
    await waitForReady(this.replicas[name][replica], '/health/ready', 60_000);
  }

  async restartNats(downMs: number): Promise<void> {
    await this.nats!.stop();
    await new Promise((r) => setTimeout(r, downMs));
    await this.startNats();
  }

  async restartPostgres(downMs: number): Promise<void> {
    await this.pg!.stop();
    await new Promise((r) => setTimeout(r, downMs));
    await this.startPostgres();
  }

  /** Embedded PostgreSQL in a helper process (scripts/pg-server.js); SIGTERM stops it cleanly. */
  private async startPostgres(): Promise<void> {
    const child = spawn(process.execPath, [join(WORKSPACE_ROOT, 'scripts/pg-server.js'), String(this.pgPort), join(this.dir, 'pg')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const ready = /ready (\S+)/.exec(out);
        if (ready) resolve(ready[1]);
      });
      child.stderr.on('data', (c: Buffer) => (out += c.toString()));
      child.once('exit', (code) => reject(new Error(`pg-server exited with ${code}: ${out}`)));
    });
    this.pg = {
      url,
      stop: async () => {
        if (child.exitCode !== null) return;
        child.kill('SIGTERM');
        await exited;
      },
    };
  }

  private async startNats(): Promise<void> {
    this.nats = await infra.startNatsServer({ port: this.natsPort, storeDir: join(this.dir, 'nats') });
  }

  /** Stops every process it started and removes its data. */
  async stop(): Promise<void> {
    await Promise.allSettled(
      Object.values(this.replicas)
        .flat()
        .map((s) => s.stop()),
    );
    await this.nats?.stop().catch(() => undefined);
    await this.cluster?.stop().catch(() => undefined);
    await this.pg?.stop().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
