// npm run bench:tokens — token verifications per second with p50/p99:
// through the token client cached in-process, and over NATS request/reply uncached.
'use strict';
require('reflect-metadata');
const { connect } = require('nats');
const { MetricsService, NatsNamespace, RpcService, JetStreamService } = require('@zapgate/platform');
const { TokenVerifier } = require('@zapgate/token-client');
const { NATS_URL, adminPost, createDatabase, freePort, platformEnv, startService, summarise, printTable, closedLoop } = require('./bench-support');

const DURATION_MS = Number(process.env.BENCH_DURATION_MS || 10_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY || 64);
const TOKENS = 200;

async function main() {
  const db = await createDatabase('tokens');
  const env = platformEnv(db);
  const namespace = env.NATS_NAMESPACE;
  const service = await startService('token-service', { ...env, TOKEN_SERVICE_PORT: String(await freePort()) });
  const nc = await connect({ servers: NATS_URL, noAsyncTraces: true });
  try {
    const admin = (path, body) => adminPost(service.base, env, path, body);
    const user = await admin('/api/v1/admin/users', { email: 'bench@example.com', display_name: 'Bench' });
    const tokens = [];
    for (let i = 0; i < TOKENS; i++) tokens.push((await admin(`/api/v1/admin/users/${user.id}/tokens`, { name: `t${i}` })).token);

    const config = { NATS_REQUEST_TIMEOUT_MS: 5000 };
    const ns = new NatsNamespace(namespace);
    const rpc = new RpcService(nc, ns, config);
    const jetstream = new JetStreamService(nc, ns, config);
    const metrics = new MetricsService('bench');
    const uncached = new TokenVerifier(rpc, jetstream, metrics, 0);
    const cached = new TokenVerifier(rpc, jetstream, metrics, 3_600_000);

    // Warm up connections, the database and the JIT.
    await closedLoop((i) => uncached.verify(tokens[i % TOKENS]), { concurrency: CONCURRENCY, durationMs: 2000 });

    const overNats = await closedLoop(
      async (i) => {
        if (!(await uncached.verify(tokens[i % TOKENS]))) throw new Error('a valid token was refused');
      },
      { concurrency: CONCURRENCY, durationMs: DURATION_MS },
    );
    for (const t of tokens) await cached.verify(t);
    const inProcess = await closedLoop(
      async (i) => {
        if (!(await cached.verify(tokens[i % TOKENS]))) throw new Error('a valid token was refused');
      },
      { concurrency: 1, durationMs: Math.min(DURATION_MS, 5000) },
    );
    const invalid = await closedLoop(() => uncached.verify('zapk_mistyped0000000000000000000000000000'), { concurrency: 1, durationMs: 2000 });

    // Bare baseline: the same request/reply over the same NATS, answered by an echo with no database or validation.
    const echo = await connect({ servers: NATS_URL, noAsyncTraces: true });
    const echoSubject = `${namespace}.bench.echo`;
    echo.subscribe(echoSubject, { queue: 'echo', callback: (_, m) => m.respond(m.data) });
    await echo.flush();
    const payload = Buffer.from(JSON.stringify({ token: tokens[0] }));
    const bare = await closedLoop(() => nc.request(echoSubject, payload, { timeout: 5000 }), { concurrency: CONCURRENCY, durationMs: DURATION_MS });
    await echo.close();

    printTable(`Token verification (${DURATION_MS / 1000} s, ${CONCURRENCY} in flight over NATS)`, [
      summarise('cached in-process (TokenVerifier, TTL hit)', inProcess.latencies, inProcess.elapsedMs),
      summarise(`uncached over NATS request/reply (${CONCURRENCY} in flight)`, overNats.latencies, overNats.elapsedMs),
      summarise('malformed token (refused by checksum, no round trip)', invalid.latencies, invalid.elapsedMs),
      summarise(`bare NATS request/reply echo (${CONCURRENCY} in flight; baseline)`, bare.latencies, bare.elapsedMs),
    ]);
    const ratio = overNats.latencies.length / overNats.elapsedMs / (bare.latencies.length / bare.elapsedMs);
    console.log(`uncached verification runs at ${(ratio * 100).toFixed(0)} % of the bare request/reply rate`);
    const pick = (r) => ({ perSecond: r.perSecond, p50: r.p50, p99: r.p99 });
    const result = {
      cached: pick(summarise('cached', inProcess.latencies, inProcess.elapsedMs)),
      zapgate: pick(summarise('uncached', overNats.latencies, overNats.elapsedMs)),
      bare: pick(summarise('bare', bare.latencies, bare.elapsedMs)),
    };
    if (process.env.BENCH_RESULT_FILE) require('node:fs').writeFileSync(process.env.BENCH_RESULT_FILE, JSON.stringify(result));
  } finally {
    await nc.close();
    await service.stop();
    await db.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
