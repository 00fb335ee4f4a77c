'use strict';
const fs = require('node:fs');

module.exports = async function globalTeardown() {
  const infra = globalThis.__ZAPGATE_TEST_INFRA__;
  if (!infra) return;
  for (const server of infra.started.reverse()) await server.stop();
  fs.rmSync(infra.stateDir, { recursive: true, force: true });
};
