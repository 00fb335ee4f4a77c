// `npm run bench`: runs the ingest, token, end-to-end and OAuth benchmarks one after another (so they
// do not share the CPUs), then writes bench/REPORT.md — every Zapgate figure beside the bare-baseline
// figure measured in the same run, with their ratio — and bench/latency.png.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { lineChart } = require('./png-chart');

const BENCHES = [
  ['ingest', 'ingest.bench.js'],
  ['tokens', 'tokens.bench.js'],
  ['e2e', 'e2e.bench.js'],
  ['oauth', 'oauth.bench.js'],
];

function run(name, script) {
  const resultFile = path.join(os.tmpdir(), `zapgate-bench-${name}-${process.pid}.json`);
  const started = Date.now();
  process.stdout.write(`\n=== ${name} (${script}) ===\n`);
  const child = spawnSync(process.execPath, [path.join(__dirname, script)], { stdio: 'inherit', env: { ...process.env, BENCH_RESULT_FILE: resultFile } });
  if (child.status !== 0) throw new Error(`${script} failed with ${child.status}`);
  const result = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
  fs.rmSync(resultFile, { force: true });
  return { ...result, seconds: Math.round((Date.now() - started) / 1000) };
}

const ratio = (zapgate, bare, lowerIsBetter = false) => {
  if (!bare || !zapgate) return '—';
  const r = lowerIsBetter ? bare / zapgate : zapgate / bare;
  return `${(r * 100).toFixed(0)} %`;
};
const n = (v, digits = 0) => (Number.isFinite(v) ? Number(v).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '—');

function report(results) {
  const { ingest, tokens, e2e, oauth } = results;
  const cpu = os.cpus();
  const lines = [
    '# Zapgate benchmark report',
    '',
    `Written by \`npm run bench\` on ${new Date().toISOString()}. Every row puts a Zapgate figure beside the bare baseline`,
    'measured in the same run on the same machine (the bare pieces doing the same job without Zapgate), and their',
    'ratio: for rates Zapgate ÷ bare, for latencies bare ÷ Zapgate, so 100 % means "as fast as the bare pieces".',
    '',
    `**Machine:** ${cpu.length} × ${cpu[0].model.trim()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, ${os.type()} ${os.release()}, Node ${process.version}.`,
    'PostgreSQL, NATS, the services, the load generator and the receivers all share these CPUs. webhook-ingest runs as',
    'deployed: one process serving requests (INGEST_PROJECTIONS=off) and one keeping the event log from the stream.',
    '',
    '| benchmark | measure | Zapgate | bare baseline | ratio |',
    '|---|---|---:|---:|---:|',
    `| ingest (1 KiB JSON, ${ingest.connections} connections) | requests/s | ${n(ingest.zapgate.rps)} | ${n(ingest.bare.rps)} (Fastify + JetStream PubAck) | ${ratio(ingest.zapgate.rps, ingest.bare.rps)} |`,
    `| ingest | p50 / p99 ms | ${ingest.zapgate.p50} / ${ingest.zapgate.p99} | ${ingest.bare.p50} / ${ingest.bare.p99} | ${ratio(ingest.zapgate.p99, ingest.bare.p99, true)} (p99) |`,
    ...(ingest.gateway
      ? [
          `| ingest through the gateway | requests/s | ${n(ingest.gateway.rps)} | ${n(ingest.proxy.rps)} (bare proxy hop, Fastify + reply-from) | ${ratio(ingest.gateway.rps, ingest.proxy.rps)} |`,
          `| ingest through the gateway | p50 / p99 ms | ${ingest.gateway.p50} / ${ingest.gateway.p99} | ${ingest.proxy.p50} / ${ingest.proxy.p99} | ${ratio(ingest.gateway.p99, ingest.proxy.p99, true)} (p99) |`,
        ]
      : []),
    `| token verification, uncached over NATS | verifications/s | ${n(tokens.zapgate.perSecond)} | ${n(tokens.bare.perSecond)} (NATS request/reply echo) | ${ratio(tokens.zapgate.perSecond, tokens.bare.perSecond)} |`,
    `| token verification | p50 / p99 ms | ${n(tokens.zapgate.p50, 1)} / ${n(tokens.zapgate.p99, 1)} | ${n(tokens.bare.p50, 1)} / ${n(tokens.bare.p99, 1)} | ${ratio(tokens.zapgate.p99, tokens.bare.p99, true)} (p99) |`,
    `| token verification, cached in process | verifications/s | ${n(tokens.cached.perSecond)} | — | — |`,
  ];
  for (const z of e2e.fixed) {
    const b = e2e.bare.find((x) => x.rate === z.rate) ?? {};
    lines.push(
      `| end to end at ${n(z.rate)}/s: accepted → stored | p50 / p99 ms | ${n(z.storedP50)} / ${n(z.storedP99)} | ${n(b.storedP50)} / ${n(b.storedP99)} (JetStream → PostgreSQL) | ${ratio(z.storedP50, b.storedP50, true)} (p50) / ${ratio(z.storedP99, b.storedP99, true)} (p99) |`,
      `| end to end at ${n(z.rate)}/s: accepted → delivered | p50 / p99 ms | ${n(z.deliveredP50)} / ${n(z.deliveredP99)} | ${n(b.deliveredP50)} / ${n(b.deliveredP99)} (… → HTTP POST) | ${ratio(z.deliveredP99, b.deliveredP99, true)} (p99) |`,
    );
  }
  lines.push(
    `| end to end | highest rate kept for ${e2e.sustainSeconds} s without growing lag | ${n(e2e.sustained)}/s | ${e2e.bareSustained === undefined ? '—' : `${n(e2e.bareSustained)}/s (the bare pipeline)`} | ${ratio(e2e.sustained, e2e.bareSustained)} |`,
    `| OAuth refresh, ${n(oauth.connections)} connections on ${oauth.ttl} s tokens | refreshes/s (needed ${n(oauth.needed)}) | ${n(oauth.perSecond)} | — | — |`,
    `| OAuth refresh | refreshed late / double refreshes / calls per generation | ${oauth.late} / ${oauth.doubles} / ${n(oauth.callsPerGeneration, 3)} | — | — |`,
    `| OAuth refresh capacity (all due at once) | refreshes/s | ${n(oauth.capacity.zapgate)} | ${n(oauth.capacity.bare)} (claim, call, update loop) | ${ratio(oauth.capacity.zapgate, oauth.capacity.bare)} |`,
    '',
    '![latency percentiles against offered load](latency.png)',
    '',
    `Run times: ingest ${ingest.seconds} s, tokens ${tokens.seconds} s, end to end ${e2e.seconds} s, OAuth ${oauth.seconds} s` +
      `${process.env.BENCH_NOTE ? ` (${process.env.BENCH_NOTE})` : ''}.`,
    'Each script prints its own detailed table too; `npm run bench:ingest`, `bench:tokens`, `bench:e2e` and `bench:oauth` run one.',
    '',
  );
  const staged = e2e.fixed.filter((f) => f.stages?.length);
  if (staged.length) {
    lines.push(
      '## Where the time goes, per stage',
      '',
      '`zapgate_pipeline_stage_seconds` of ingest and dispatch, scraped before and after each end-to-end step. p50 and p99 are',
      'the upper bounds of the histogram buckets they fall in; the mean is exact. `consumer_wait` is from the event entering',
      'the stream to its handler starting, so a consumer that falls behind shows there first.',
      '',
      `| stage | ${staged.map((f) => `${n(f.rate)}/s mean / p50 / p99 ms`).join(' | ')} |`,
      `|---|${staged.map(() => '---:').join('|')}|`,
    );
    const names = [...new Set(staged.flatMap((f) => f.stages.map((st) => st.stage)))];
    for (const name of names) {
      const cells = staged.map((f) => {
        const st = f.stages.find((x) => x.stage === name);
        return st ? `${n(st.meanMs, 1)} / ${n(st.p50Ms, 1)} / ${n(st.p99Ms, 1)}` : '—';
      });
      lines.push(`| ${name} | ${cells.join(' | ')} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

function chart(e2e) {
  const points = (rows, key) => rows.map((r) => [`${r.rate}/s`, r[key]]);
  return lineChart({
    title: 'accepted to stored, by offered load',
    xTitle: 'offered load (posts per second)',
    yTitle: 'latency (log scale)',
    series: [
      { label: 'zapgate p50', color: [31, 119, 180], points: points(e2e.fixed, 'storedP50') },
      { label: 'zapgate p99', color: [31, 119, 180], dashed: true, points: points(e2e.fixed, 'storedP99') },
      { label: 'bare p50', color: [214, 39, 40], points: points(e2e.bare, 'storedP50') },
      { label: 'bare p99', color: [214, 39, 40], dashed: true, points: points(e2e.bare, 'storedP99') },
    ],
  });
}

function main() {
  // BENCH_REPORT_FROM=file: redraw from earlier results. BENCH_ONLY=ingest,e2e: run those again and keep the
  // others from bench/results.json (each benchmark's baseline is always measured in its own run).
  const from = process.env.BENCH_REPORT_FROM;
  const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
  const earlier = only ? JSON.parse(fs.readFileSync(path.join(__dirname, 'results.json'), 'utf8')) : {};
  const results = from
    ? JSON.parse(fs.readFileSync(from, 'utf8'))
    : Object.fromEntries(BENCHES.map(([name, script]) => [name, only && !only.includes(name) ? earlier[name] : run(name, script)]));
  fs.writeFileSync(path.join(__dirname, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  fs.writeFileSync(path.join(__dirname, 'REPORT.md'), report(results));
  fs.writeFileSync(path.join(__dirname, 'latency.png'), chart(results.e2e));
  process.stdout.write(`\nwrote bench/REPORT.md, bench/latency.png and bench/results.json\n`);
}

main();
