#!/usr/bin/env node
// Runs the whole platform on one machine: finds (or starts) PostgreSQL and NATS,
// creates the database, then starts the four services with prefixed output.
// Ctrl-C (or SIGTERM) stops the services first, then anything this script started.
'use strict';
const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { ensureDatabase, listening, startEmbeddedPostgres, startNatsServer } = require('./local-infra');

const ROOT = path.resolve(__dirname, '..');
const env = process.env;
const STATE_DIR = path.resolve(env.ZAPGATE_STATE_DIR || path.join(ROOT, '.zapgate'));
const PG_PORT = Number(env.ZAPGATE_PG_PORT || 5432);
const NATS_PORT = Number(env.ZAPGATE_NATS_PORT || 4222);
const DATABASE_NAME = env.ZAPGATE_DATABASE || 'zapgate';
const SERVICES = [
  { name: 'token-service', color: 36, portVar: 'TOKEN_SERVICE_PORT', port: 3001 },
  { name: 'webhook-ingest', color: 33, portVar: 'WEBHOOK_INGEST_PORT', port: 3002 },
  { name: 'message-dispatch', color: 35, portVar: 'MESSAGE_DISPATCH_PORT', port: 3003 },
  { name: 'oauth-refresh', color: 32, portVar: 'OAUTH_REFRESH_PORT', port: 3004 },
];
/** The one public origin in front of the four: APIs, the console and the merged docs. */
const GATEWAY = { name: 'gateway', color: 34, portVar: 'GATEWAY_PORT', port: 3000 };
const portOf = (service) => Number(env[service.portVar] || service.port);

const cleanups = [];
const children = new Set();
let stopping = false;

function log(message) {
  process.stdout.write(`\x1b[1m[zapgate]\x1b[0m ${message}\n`);
}

/** Secrets for a local install: made once, kept in .zapgate/local.env, overridable from the environment. */
function localSecrets() {
  const file = path.join(STATE_DIR, 'local.env');
  const stored = fs.existsSync(file)
    ? Object.fromEntries(
        fs
          .readFileSync(file, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => l.split(/=(.*)/s).slice(0, 2)),
      )
    : {};
  const secrets = {
    ADMIN_API_KEY: stored.ADMIN_API_KEY || crypto.randomBytes(24).toString('base64url'),
    TOKEN_PEPPER: stored.TOKEN_PEPPER || crypto.randomBytes(32).toString('base64url'),
    ENCRYPTION_KEYS: stored.ENCRYPTION_KEYS || `k1:${crypto.randomBytes(32).toString('base64')}`,
  };
  fs.mkdirSync(STATE_DIR, { recursive: true });
  fs.writeFileSync(
    file,
    Object.entries(secrets)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n') + '\n',
    { mode: 0o600 },
  );
  for (const name of Object.keys(secrets)) if (env[name]) secrets[name] = env[name];
  return secrets;
}

async function postgresUrl() {
  if (env.DATABASE_URL) return env.DATABASE_URL;
  if (await listening(PG_PORT)) {
    log(`using PostgreSQL on 127.0.0.1:${PG_PORT}`);
    return `postgres://postgres@127.0.0.1:${PG_PORT}/${DATABASE_NAME}`;
  }
  const dataDir = path.join(STATE_DIR, 'pg');
  log(`nothing on port ${PG_PORT}: starting embedded PostgreSQL (data in ${dataDir})`);
  const pg = await startEmbeddedPostgres({ port: PG_PORT, dataDir });
  cleanups.push(async () => {
    log('stopping embedded PostgreSQL');
    await pg.stop();
  });
  return `${pg.url}/${DATABASE_NAME}`;
}

async function natsUrl() {
  if (env.NATS_URL) return env.NATS_URL;
  if (await listening(NATS_PORT)) {
    log(`using NATS on 127.0.0.1:${NATS_PORT}`);
    return `nats://127.0.0.1:${NATS_PORT}`;
  }
  const storeDir = path.join(STATE_DIR, 'nats');
  log(`nothing on port ${NATS_PORT}: starting nats-server -js (store in ${storeDir})`);
  const nats = await startNatsServer({ port: NATS_PORT, storeDir, onOutput: (chunk) => prefixLines('nats', 90, chunk) });
  cleanups.push(async () => {
    log('stopping nats-server');
    await nats.stop();
  });
  return nats.url;
}

function prefixLines(name, color, chunk) {
  const text = chunk.toString();
  for (const line of text.split('\n')) if (line) process.stdout.write(`\x1b[${color}m${name.padEnd(16)}|\x1b[0m ${line}\n`);
}

function startService(service, serviceEnv) {
  const main = path.join(ROOT, 'apps', service.name, 'dist', 'main.js');
  if (!fs.existsSync(main)) throw new Error(`${main} is missing: run npm run build first`);
  const child = spawn(process.execPath, ['--enable-source-maps', main], { env: serviceEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.stdout.on('data', (c) => prefixLines(service.name, service.color, c));
  child.stderr.on('data', (c) => prefixLines(service.name, service.color, c));
  let tail = '';
  const keep = (c) => (tail = (tail + c.toString()).slice(-4000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.on('exit', (code, signal) => {
    children.delete(child);
    if (!stopping) {
      log(`${service.name} exited (${signal ?? code}); stopping everything`);
      const hint = hintFor(tail);
      if (hint) log(hint);
      void shutdown(1);
    }
  });
}

/** What a service's last words say about a dependency, and what to do about it. */
function hintFor(output) {
  if (/EADDRINUSE/.test(output))
    return 'a port is taken: stop what listens there, or set GATEWAY_PORT / TOKEN_SERVICE_PORT / WEBHOOK_INGEST_PORT / MESSAGE_DISPATCH_PORT / OAUTH_REFRESH_PORT';
  if (/invalid configuration/.test(output)) return 'a variable is wrong (named above): fix it in the environment or in .zapgate/local.env';
  if (/ECONNREFUSED[^\n]*:5432|postgres|database/i.test(output) && /ECONNREFUSED|does not exist|password authentication/i.test(output)) {
    return 'PostgreSQL is not reachable as DATABASE_URL says: start it, or unset DATABASE_URL and let npm start run its own';
  }
  if (/ECONNREFUSED[^\n]*:4222|NATS|CONNECTION_REFUSED/i.test(output))
    return 'NATS is not reachable as NATS_URL says: start nats-server -js, or unset NATS_URL and let npm start run its own';
  return undefined;
}

/** Once every service answers /health/ready: one banner with where everything is and what to try next. */
async function announceWhenReady(started) {
  // The gateway's readiness is the four services' together.
  const pending = new Set([...SERVICES, GATEWAY]);
  while (pending.size && !stopping) {
    for (const service of [...pending]) {
      const ok = await fetch(`http://127.0.0.1:${portOf(service)}/health/ready`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) pending.delete(service);
    }
    if (pending.size) await new Promise((r) => setTimeout(r, 250));
  }
  if (stopping) return;
  const absolute = path.join(STATE_DIR, 'local.env');
  const relative = path.relative(process.cwd(), absolute);
  const keyFile = relative.startsWith('..') ? absolute : relative;
  const origin = `http://127.0.0.1:${portOf(GATEWAY)}`;
  const lines = [
    `\x1b[1m\x1b[32mZapgate is ready\x1b[0m in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    `  console           ${origin}/console   (sign in with the admin key)`,
    `  APIs              ${origin}           API docs ${origin}/docs`,
    `  services          ${SERVICES.map((s) => `${s.name} :${portOf(s)}`).join(' · ')} (each with /docs, /health, /metrics)`,
    `  admin key         ADMIN_API_KEY in ${keyFile}`,
    '  next              create a user and a token:',
    '    npx zapgate users create --email you@example.com --name You',
    `    or: export ADMIN_KEY=$(grep ^ADMIN_API_KEY= ${keyFile} | cut -d= -f2-)`,
    `        curl -s -X POST ${origin}/api/v1/admin/users -H "X-Admin-Key: $ADMIN_KEY" -H 'content-type: application/json' -d '{"email":"you@example.com","display_name":"You"}'`,
    '  stop              Ctrl-C',
  ];
  process.stdout.write(`\n${lines.join('\n')}\n\n`);
}

async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  log('shutting down');
  await Promise.all(
    [...children].map(
      (child) =>
        new Promise((resolve) => {
          const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
  for (const cleanup of cleanups.reverse()) await cleanup().catch((e) => log(`cleanup failed: ${e.message}`));
  log('stopped');
  process.exit(code);
}

async function main() {
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  const secrets = localSecrets();
  const DATABASE_URL = await postgresUrl();
  if (await ensureDatabase(DATABASE_URL)) log('created the database');
  const NATS_URL = await natsUrl();
  // A local install delivers to receivers on this machine; production keeps loopback refused (SSRF guard).
  // Readable lines on a terminal; the services write JSON when they are not under one (a pipe here), unless told.
  const format = env.LOG_FORMAT || (process.stdout.isTTY ? 'pretty' : 'json');
  const serviceEnv = { OUTBOUND_ALLOWED_CIDRS: '127.0.0.0/8,::1/128', ...env, ...secrets, DATABASE_URL, NATS_URL, LOG_FORMAT: format };
  const started = Date.now();
  for (const service of SERVICES) startService(service, serviceEnv);
  const upstream = (service) => `http://127.0.0.1:${portOf(service)}`;
  startService(GATEWAY, {
    ...serviceEnv,
    TOKEN_SERVICE_URL: upstream(SERVICES[0]),
    WEBHOOK_INGEST_URL: upstream(SERVICES[1]),
    MESSAGE_DISPATCH_URL: upstream(SERVICES[2]),
    OAUTH_REFRESH_URL: upstream(SERVICES[3]),
  });
  log(`starting ${SERVICES.map((s) => s.name).join(', ')} and the gateway…`);
  void announceWhenReady(started);
}

main().catch(async (err) => {
  log(`failed: ${err.message}`);
  await shutdown(1);
});
