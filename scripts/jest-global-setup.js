// Tests use the PostgreSQL and NATS on their default local ports when they are
// there (CI, a developer machine); otherwise this starts private ones for the
// run, so `npm test` also works on a fresh machine.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { freePort, listening, startEmbeddedPostgres, startNatsServer } = require('./local-infra');
const { sweepStaleRuns } = require('./nats-cleanup');

module.exports = async function globalSetup() {
  const started = [];
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'zapgate-test-infra-'));
  if (!process.env.TEST_PG_ADMIN_URL && !(await listening(5432))) {
    const pg = await startEmbeddedPostgres({ port: await freePort(), dataDir: path.join(stateDir, 'pg') });
    process.env.TEST_PG_ADMIN_URL = `${pg.url}/postgres`;
    started.push(pg);
  }
  if (!process.env.TEST_NATS_URL && !(await listening(4222))) {
    const nats = await startNatsServer({ port: await freePort(), storeDir: path.join(stateDir, 'nats') });
    process.env.TEST_NATS_URL = nats.url;
    started.push(nats);
  }
  // Streams of earlier runs that were killed before their clean-up (hours old; a running one is never that old).
  if (!started.some((s) => s.url === process.env.TEST_NATS_URL)) {
    await sweepStaleRuns(process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222').catch(() => undefined);
  }
  globalThis.__ZAPGATE_TEST_INFRA__ = { started, stateDir };
};
