// npm run bench:ingest — webhook-ingest against a bare Fastify + JetStream
// server in the same run, on the same machine: 1 KiB JSON posts, 50
// connections, 10 s each after a warm-up; requests/s, p50, p99 and the ratio. Then the same ingest
// through the gateway and through a bare proxy hop: what the one origin costs beyond any proxy.
'use strict';
const autocannon = require('autocannon');
const { fork, spawn, spawnSync } = require('node:child_process');
const path = require('node:path');
const { NATS_URL, benchToken, createDatabase, freePort, platformEnv, startIngest, startService } = require('./bench-support');

const DURATION_S = Number(process.env.BENCH_DURATION_S || 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 50);
const BODY = JSON.stringify({ text: 'x'.repeat(1000) }); // ≈ 1 KiB
const pinnable = spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0;

function pin(pid, cpu) {
  if (pinnable) spawnSync('taskset', ['-a', '-cp', String(cpu), String(pid)], { stdio: 'ignore' });
}

function load(url, title) {
  return new Promise((resolve, reject) => {
    autocannon(
      { url, method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY, connections: CONNECTIONS, duration: DURATION_S },
      (err, result) => (err ? reject(err) : resolve({ title, result })),
    );
  });
}

async function warm(url) {
  await new Promise((resolve, reject) =>
    autocannon({ url, method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY, connections: CONNECTIONS, duration: 3 }, (e) =>
      e ? reject(e) : resolve(),
    ),
  );
}

async function main() {
  pin(process.pid, 1);
  const db = await createDatabase('ingest');
  const env = {
    ...platformEnv(db),
    INGEST_RATE_LIMIT_PER_MINUTE: '1000000',
    INGEST_IP_FLOOD_PER_MINUTE: '10000000',
    TOKEN_SERVICE_PORT: String(await freePort()),
    WEBHOOK_INGEST_PORT: String(await freePort()),
  };
  const started = [];
  let bare;
  let proxy;
  let gateway;
  try {
    const token = await startService('token-service', env);
    started.push(token);
    // BENCH_PROFILE=<dir> writes a V8 CPU profile of the serving webhook-ingest there.
    const { serving: ingest, projections } = await startIngest(
      env,
      process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [],
    );
    started.push(ingest, projections);
    const barePort = await freePort();
    bare = fork(path.join(__dirname, 'bare-ingest.server.js'), [String(barePort), NATS_URL, `${env.NATS_NAMESPACE.toUpperCase()}_BARE`]);
    await new Promise((resolve, reject) => {
      bare.once('message', resolve);
      bare.once('exit', reject);
    });
    // The one origin in front of the same ingest, and a bare proxy hop (Fastify + reply-from) beside it.
    const gatewayPort = await freePort();
    gateway = spawn(process.execPath, [path.join(__dirname, '..', 'apps', 'gateway', 'dist', 'main.js')], {
      env: { ...process.env, LOG_LEVEL: 'warn', GATEWAY_PORT: String(gatewayPort), TOKEN_SERVICE_URL: token.base, WEBHOOK_INGEST_URL: ingest.base },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    for (let up = false; !up;) {
      up = await fetch(`http://127.0.0.1:${gatewayPort}/health/live`).then(
        (r) => r.ok,
        () => false,
      );
      if (!up) await new Promise((r) => setTimeout(r, 100));
    }
    const proxyPort = await freePort();
    proxy = fork(path.join(__dirname, 'bare-proxy.server.js'), [String(proxyPort), ingest.base]);
    await new Promise((resolve, reject) => {
      proxy.once('message', resolve);
      proxy.once('exit', reject);
    });
    for (const child of [ingest.pid, bare.pid, gateway.pid, proxy.pid]) if (child) pin(child, 0);

    const zapikey = await benchToken(token.base, env);

    const zapgateUrl = `${ingest.base}/api/v2/channelsbyname/bench/message?zapikey=${zapikey}`;
    const bareUrl = `http://127.0.0.1:${barePort}/api/v2/channelsbyname/bench/message`;
    const path_ = `/api/v2/channelsbyname/bench/message?zapikey=${zapikey}`;
    const gatewayUrl = `http://127.0.0.1:${gatewayPort}${path_}`;
    const proxyUrl = `http://127.0.0.1:${proxyPort}${path_}`;
    for (const url of [zapgateUrl, bareUrl, gatewayUrl, proxyUrl]) await warm(url);
    const runs = [
      await load(bareUrl, 'bare Fastify 5.12 + JetStream publish (PubAck awaited)'),
      await load(zapgateUrl, 'Zapgate webhook-ingest (channelsbyname, token, schema, PubAck)'),
      await load(proxyUrl, 'bare proxy hop (Fastify + reply-from) → webhook-ingest'),
      await load(gatewayUrl, 'Zapgate gateway → webhook-ingest'),
    ];

    console.log(`\nIngest: 1 KiB JSON, ${CONNECTIONS} connections, ${DURATION_S} s per run${pinnable ? ', servers on CPU 0, load on CPU 1' : ''}`);
    console.log('| server | requests/s | p50 ms | p99 ms | non-2xx |');
    console.log('|---|---:|---:|---:|---:|');
    for (const { title, result } of runs) {
      console.log(`| ${title} | ${Math.round(result.requests.average)} | ${result.latency.p50} | ${result.latency.p99} | ${result.non2xx + result.errors} |`);
    }
    const ratio = runs[1].result.requests.average / runs[0].result.requests.average;
    console.log(`Zapgate / bare = ${(ratio * 100).toFixed(0)} %`);
    console.log(
      `gateway / bare proxy hop = ${((runs[3].result.requests.average / runs[2].result.requests.average) * 100).toFixed(0)} %` +
        ` (both in front of the same ingest; through the gateway / direct = ${((runs[3].result.requests.average / runs[1].result.requests.average) * 100).toFixed(0)} %)`,
    );
    const figures = (r) => ({ rps: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99, errors: r.non2xx + r.errors });
    const result = {
      bare: figures(runs[0].result),
      zapgate: figures(runs[1].result),
      proxy: figures(runs[2].result),
      gateway: figures(runs[3].result),
      durationS: DURATION_S,
      connections: CONNECTIONS,
    };
    if (process.env.BENCH_RESULT_FILE) require('node:fs').writeFileSync(process.env.BENCH_RESULT_FILE, JSON.stringify(result));
  } finally {
    bare?.kill('SIGTERM');
    proxy?.kill('SIGTERM');
    gateway?.kill('SIGTERM');
    for (const service of started.reverse()) await service.stop();
    await db.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
