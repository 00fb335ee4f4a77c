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
  { name: 'token-service', color: 36 },
  { name: 'webhook-ingest', color: 33 },
  { name: 'message-dispatch', color: 35 },
  { name: 'oauth-refresh', color: 32 },
];

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
    ? Object.fromEntries(fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => l.split(/=(.*)/s).slice(0, 2)))
    : {};
  const secrets = {
    ADMIN_API_KEY: stored.ADMIN_API_KEY || crypto.randomBytes(24).toString('base64url'),
    TOKEN_PEPPER: stored.TOKEN_PEPPER || crypto.randomBytes(32).toString('base64url'),
    ENCRYPTION_KEYS: stored.ENCRYPTION_KEYS || `k1:${crypto.randomBytes(32).toString('base64')}`,
  };
  fs.mkdirSync(STATE_DIR, { recursive: true });
  fs.writeFileSync(file, Object.entries(secrets).map(([k, v]) => `${k}=${v}`).join('\n') + '\n', { mode: 0o600 });
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
  child.on('exit', (code, signal) => {
    children.delete(child);
    if (!stopping) {
      log(`${service.name} exited (${signal ?? code}); stopping everything`);
      void shutdown(1);
    }
  });
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
  const serviceEnv = { OUTBOUND_ALLOWED_CIDRS: '127.0.0.0/8,::1/128', ...env, ...secrets, DATABASE_URL, NATS_URL };
  for (const service of SERVICES) startService(service, serviceEnv);
  log(`starting ${SERVICES.map((s) => s.name).join(', ')}; admin key in ${path.join(STATE_DIR, 'local.env')}`);
}

main().catch(async (err) => {
  log(`failed: ${err.message}`);
  await shutdown(1);
});
