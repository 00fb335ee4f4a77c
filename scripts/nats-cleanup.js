// Removing what test and bench runs leave on a shared NATS server: the streams
// of one namespace (its KV buckets are streams named KV_<NAMESPACE>_…), and at
// start-up the namespaces of earlier runs that were killed before their own
// clean-up ran.
'use strict';
const { connect } = require('nats');

/** A run's private namespace: a short label and random hex, as testNamespace() and the benches make them. */
const RUN_NAMESPACE = /^(KV_)?(BENCH[0-9A-F]{6}|[A-Z0-9]{0,12}[0-9A-F]{8})_/;

const prefixOf = (namespace) => `${namespace.toUpperCase().replace(/-/g, '_')}_`;

async function withJsm(url, work) {
  const nc = await connect({ servers: url, noAsyncTraces: true });
  try {
    return await work(await nc.jetstreamManager());
  } finally {
    await nc.close();
  }
}

/** Deletes every stream and KV bucket of `namespace`; the names of any that are still there afterwards. */
async function deleteNamespace(url, namespace) {
  const prefix = prefixOf(namespace);
  const ours = (name) => name.startsWith(prefix) || name.startsWith(`KV_${prefix}`);
  return withJsm(url, async (jsm) => {
    for await (const info of jsm.streams.list()) {
      if (ours(info.config.name)) await jsm.streams.delete(info.config.name).catch(() => undefined);
    }
    const left = [];
    for await (const info of jsm.streams.list()) if (ours(info.config.name)) left.push(info.config.name);
    return left;
  });
}

/** Deletes run namespaces' streams created more than `olderThanMs` ago (a killed run's); how many. */
async function sweepStaleRuns(url, olderThanMs = 6 * 3600_000) {
  return withJsm(url, async (jsm) => {
    let n = 0;
    for await (const info of jsm.streams.list()) {
      if (!RUN_NAMESPACE.test(info.config.name) || Date.now() - Date.parse(info.created) < olderThanMs) continue;
      await jsm.streams.delete(info.config.name).catch(() => undefined);
      n++;
    }
    return n;
  });
}

module.exports = { deleteNamespace, sweepStaleRuns, RUN_NAMESPACE };
