// Helpers shared by the benchmark scripts: a private database and NATS
// namespace, a built service as a child process, percentiles.
'use strict';
const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const os = require('node:os');
const path = require('node:path');
const { Client } = require('pg');
const { deleteNamespace, sweepStaleRuns } = require('../scripts/nats-cleanup');

const ROOT = path.resolve(__dirname, '..');
const PG_ADMIN_URL = process.env.TEST_PG_ADMIN_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const NATS_URL = process.env.TEST_NATS_URL || 'nats://127.0.0.1:4222';

/**
 * A private database, dropped by `drop()`; `drop()` also deletes the streams
 * and KV buckets of the NATS namespace that platformEnv() gave this run.
 * Killed runs' leftovers (hours old) are swept first.
 */
async function createDatabase(label) {
  await sweepStaleRuns(NATS_URL).catch(() => undefined);
  const name = `zgbench_${label}_${crypto.randomBytes(3).toString('hex')}`;
  const admin = new Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    namespace: undefined,
    async drop() {
      if (this.namespace) {
        const left = await deleteNamespace(NATS_URL, this.namespace);
        if (left.length) console.error(`bench: could not delete ${left.join(', ')}`);
      }
      const c = new Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = require('node:net').createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startService(name, env, nodeArgs = []) {
  const child = spawn(process.execPath, [...nodeArgs, path.join(ROOT, 'apps', name, 'dist', 'main.js')], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const portVar = {
    'token-service': 'TOKEN_SERVICE_PORT',
    'webhook-ingest': 'WEBHOOK_INGEST_PORT',
    'message-dispatch': 'MESSAGE_DISPATCH_PORT',
    'oauth-refresh': 'OAUTH_REFRESH_PORT',
  }[name];
  const base = `http://127.0.0.1:${env[portVar]}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
    const ok = await fetch(`${base}/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`${name} did not become ready`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    pid: child.pid,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}

/**
 * webhook-ingest as it is deployed: one process serves requests (INGEST_PROJECTIONS=off) and one
 * keeps the event log from the stream (on), so the HTTP path does not share its event loop with the
 * projection's consumers. Both on the machine the benchmark measures; only `serving` is pinned.
 */
async function startIngest(env, nodeArgs = []) {
  const serving = await startService('webhook-ingest', { ...env, INGEST_PROJECTIONS: 'off' }, nodeArgs);
  try {
    const projections = await startService('webhook-ingest', { ...env, INGEST_PROJECTIONS: 'on', WEBHOOK_INGEST_PORT: String(await freePort()) });
    return { serving, projections };
  } catch (err) {
    await serving.stop();
    throw err;
  }
}

function percentile(sortedMs, p) {
  if (!sortedMs.length) return NaN;
  return sortedMs[Math.min(sortedMs.length - 1, Math.floor((p / 100) * sortedMs.length))];
}

function summarise(label, latenciesMs, elapsedMs) {
  const sorted = Float64Array.from(latenciesMs).sort();
  return {
    label,
    ops: latenciesMs.length,
    perSecond: Math.round((latenciesMs.length / elapsedMs) * 1000),
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
  };
}

function printTable(title, rows) {
  const fmt = (n) => (n < 0.1 ? n.toFixed(4) : n < 10 ? n.toFixed(3) : n.toFixed(1));
  console.log(`\n${title}`);
  console.log(`machine: ${os.cpus().length} × ${os.cpus()[0].model.trim()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`);
  console.log('| case | operations | per second | p50 ms | p99 ms |');
  console.log('|---|---:|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.label} | ${r.ops} | ${r.perSecond} | ${fmt(r.p50)} | ${fmt(r.p99)} |`);
}

/** Runs `task` with `concurrency` loops in flight for `durationMs`; returns per-call latencies. */
async function closedLoop(task, { concurrency, durationMs }) {
  const latencies = [];
  const started = Date.now();
  const end = started + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      let i = worker;
      while (Date.now() < end) {
        const t0 = process.hrtime.bigint();
        await task(i);
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        i += concurrency;
      }
    }),
  );
  return { latencies, elapsedMs: Date.now() - started };
}

/** What every service needs: its database, NATS under a namespace of its own, and fresh secrets. */
function platformEnv(db) {
  db.namespace = `bench${crypto.randomBytes(3).toString('hex')}`;
  return {
    DATABASE_URL: db.url,
    NATS_URL,
    NATS_NAMESPACE: db.namespace,
    ADMIN_API_KEY: crypto.randomBytes(24).toString('hex'),
    TOKEN_PEPPER: crypto.randomBytes(32).toString('hex'),
    ENCRYPTION_KEYS: `k1:${crypto.randomBytes(32).toString('base64')}`,
  };
}

/** A POST with the operator key; the parsed answer. */
function adminPost(base, env, path, body) {
  return fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-admin-key': env.ADMIN_API_KEY },
    body: JSON.stringify(body),
  }).then((r) => r.json());
}

/** A user with one ZAPI key, made through token-service's admin API; the key. */
async function benchToken(tokenBase, env) {
  const user = await adminPost(tokenBase, env, '/api/v1/admin/users', { email: 'bench@example.com', display_name: 'Bench' });
  const { token } = await adminPost(tokenBase, env, `/api/v1/admin/users/${user.id}/tokens`, { name: 'bench' });
  return token;
}

/** Every zapgate_pipeline_stage_seconds series of the services at `bases`, summed over them: key → {le → count, count, sum}. */
async function scrapeStages(bases) {
  const stages = new Map();
  for (const base of bases) {
    const text = await (await fetch(`${base}/metrics`)).text();
    for (const line of text.split('\n')) {
      const m = /^zapgate_pipeline_stage_seconds_(bucket|sum|count)\{([^}]*)\} (\S+)$/.exec(line);
      if (!m) continue;
      const labels = Object.fromEntries([...m[2].matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
      const key = labels.consumer ? `${labels.stage} (${labels.consumer})` : labels.stage;
      const s = stages.get(key) ?? { buckets: new Map(), count: 0, sum: 0 };
      if (m[1] === 'bucket') s.buckets.set(labels.le, (s.buckets.get(labels.le) ?? 0) + Number(m[3]));
      else s[m[1]] += Number(m[3]);
      stages.set(key, s);
    }
  }
  return stages;
}

/** What happened between two scrapes, per stage: count, mean, and p50/p99 read off the buckets (upper bounds, ms). */
function stageBreakdown(before, after) {
  const rows = [];
  for (const [key, a] of after) {
    const b = before.get(key) ?? { buckets: new Map(), count: 0, sum: 0 };
    const count = a.count - b.count;
    if (count <= 0) continue;
    const bounds = [...a.buckets.keys()].map((le) => [le, a.buckets.get(le) - (b.buckets.get(le) ?? 0)]).sort((x, y) => Number(x[0]) - Number(y[0]));
    const at = (q) => {
      const hit = bounds.find(([, n]) => n >= q * count);
      return hit ? (hit[0] === '+Inf' ? Infinity : Number(hit[0]) * 1000) : NaN;
    };
    rows.push({ stage: key, count, meanMs: ((a.sum - b.sum) / count) * 1000, p50Ms: at(0.5), p99Ms: at(0.99) });
  }
  return rows;
}

module.exports = {
  ROOT,
  NATS_URL,
  createDatabase,
  freePort,
  startService,
  startIngest,
  summarise,
  printTable,
  closedLoop,
  platformEnv,
  adminPost,
  benchToken,
  scrapeStages,
  stageBreakdown,
};
