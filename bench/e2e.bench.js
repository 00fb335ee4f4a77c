// End to end: POST at webhook-ingest → stored in message-dispatch's channel
// store → delivered to an outbound receiver (a signed Standard Webhooks POST).
// Open-loop load at fixed rates, then a search for the highest rate the
// pipeline keeps up with for a sustained run.
'use strict';
const autocannon = require('autocannon');
const crypto = require('node:crypto');
const http = require('node:http');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { fork } = require('node:child_process');
const { Client } = require('pg');
const { NATS_URL, benchToken, createDatabase, freePort, platformEnv, scrapeStages, stageBreakdown, startIngest, startService } = require('./bench-support');

const RATES = (process.env.BENCH_RATES || '100,500,1000').split(',').map(Number);
const STEP_S = Number(process.env.BENCH_STEP_S || 20);
const RAMP_S = Number(process.env.BENCH_RAMP_S || 15);
const SUSTAIN_S = Number(process.env.BENCH_SUSTAIN_S || 60);
const RAMP = (process.env.BENCH_RAMP || '250,375,500,625,750,1000,1250,1500,2000,2500,3000').split(',').map(Number);
const CHANNELS = 8;

function percentile(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
}

function startReceiver(arrivals) {
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const at = Date.now();
      try {
        const { data } = JSON.parse(Buffer.concat(chunks).toString());
        const run = data.content.text.split(' ')[1];
        if (!arrivals.has(run)) arrivals.set(run, []);
        // From ingest accepting the POST (the message's time) to arrival here.
        arrivals.get(run).push(at - Date.parse(data.time));
      } catch {
        // not one of ours
      }
      res.writeHead(204).end();
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${server.address().port}/hook` })));
}

/** Open-loop POSTs at `rate` per second for `seconds`; every body carries the run id and its send time. */
function offer(ingestBase, zapikey, run, rate, seconds) {
  let n = 0;
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: ingestBase,
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Zoho-oauthtoken ${zapikey}` },
        connections: Math.min(200, Math.max(10, Math.ceil(rate / 20))),
        overallRate: rate,
        duration: seconds,
        requests: [
          {
            setupRequest: (req) => {
              req.path = `/api/v2/channelsbyname/bench-${n++ % CHANNELS}/message`;
              req.body = JSON.stringify({ text: `bench ${run} ${n}` });
              return req;
            },
          },
        ],
      },
      (err, result) =>
        err
          ? reject(err)
          : resolve({
              accepted: result['2xx'],
              failed: result.non2xx + result.errors + result.timeouts,
              ingestP50: result.latency.p50,
              ingestP99: result.latency.p99,
            }),
    );
  });
}

// Zapgate stores into dispatch.message; the bare pipeline into bare_message. Both keep received_at and stored_at.
async function storedCount(pg, run, table = 'dispatch.message') {
  const { rows } = await pg.query(`SELECT count(*)::int AS n FROM ${table} WHERE text LIKE $1`, [`bench ${run} %`]);
  return rows[0].n;
}

async function drain(pg, run, expected, table = 'dispatch.message', timeoutMs = 180_000) {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    if ((await storedCount(pg, run, table)) >= expected) return Date.now() - start;
    await new Promise((r) => setTimeout(r, 200));
  }
  return NaN;
}

async function storeLatencies(pg, run, table = 'dispatch.message') {
  const { rows } = await pg.query(
    // Server clocks on both ends: autocannon builds a request before its rate slot comes, so a client timestamp would run early.
    `SELECT extract(epoch FROM stored_at - received_at) * 1000 AS ms FROM ${table} WHERE text LIKE $1`,
    [`bench ${run} %`],
  );
  return Float64Array.from(rows.map((r) => Number(r.ms))).sort();
}

/** One fixed-rate step against `base`; latencies from the table that pipeline stores into. */
async function fixedStep(pg, arrivals, base, zapikey, rate, table, metricsBases = []) {
  const run = `r${rate}x${crypto.randomBytes(3).toString('hex')}`;
  const before = metricsBases.length ? await scrapeStages(metricsBases) : undefined;
  const sent = await offer(base, zapikey, run, rate, STEP_S);
  // autocannon counts answers inside the run only; a few late ones can make this slightly negative.
  const backlogAtEnd = Math.max(0, sent.accepted - (await storedCount(pg, run, table)));
  const drainMs = await drain(pg, run, sent.accepted, table);
  await new Promise((r) => setTimeout(r, 1000));
  const stored = await storeLatencies(pg, run, table);
  const delivered = Float64Array.from(arrivals.get(run) ?? []).sort();
  const stages = before ? stageBreakdown(before, await scrapeStages(metricsBases)) : [];
  return { rate, ...sent, backlogAtEnd, drainMs, stored, delivered, stages };
}

/** Runs `task` against the bare pipeline (bare-e2e.server.js), started for it and stopped after. */
async function withBare(env, db, receiver, task) {
  const port = await freePort();
  const bare = fork(path.join(__dirname, 'bare-e2e.server.js'), [String(port), NATS_URL, `${env.NATS_NAMESPACE.toUpperCase()}_BARE`, db.url, receiver.url]);
  await new Promise((resolve, reject) => {
    bare.once('message', resolve);
    bare.once('exit', reject);
  });
  try {
    const base = `http://127.0.0.1:${port}`;
    await offer(base, 'bare', 'bwarm', 200, 3);
    return await task(base);
  } finally {
    bare.kill('SIGTERM');
    await new Promise((r) => bare.once('exit', r));
  }
}

/**
 * The highest rate a pipeline keeps up with for SUSTAIN_S: a ramp finds the highest offered rate
 * whose backlog stays under one second of traffic at the end of a step, then sustained runs from
 * there down (×0.8) until one holds without a growing backlog.
 */
async function highestSustained(pg, base, zapikey, table) {
  let best = 0;
  for (const rate of RAMP) {
    const run = `ramp${rate}x${crypto.randomBytes(2).toString('hex')}`;
    const sent = await offer(base, zapikey, run, rate, RAMP_S);
    const backlog = sent.accepted - (await storedCount(pg, run, table));
    const kept = sent.failed === 0 && sent.accepted >= rate * RAMP_S * 0.95 && backlog <= rate;
    console.log(`${table} ramp ${rate}/s: accepted ${sent.accepted}, failed ${sent.failed}, backlog at end ${backlog} → ${kept ? 'kept up' : 'fell behind'}`);
    await drain(pg, run, sent.accepted, table);
    if (!kept) break;
    best = rate;
  }
  for (let rate = best; rate > 0; rate = Math.floor(rate * 0.8)) {
    const run = `sustain${rate}x${crypto.randomBytes(2).toString('hex')}`;
    const samples = [];
    const sampler = setInterval(async () => samples.push(await storedCount(pg, run, table).catch(() => NaN)), 5000);
    const startedAt = Date.now();
    const sent = await offer(base, zapikey, run, rate, SUSTAIN_S);
    clearInterval(sampler);
    const backlog = sent.accepted - (await storedCount(pg, run, table));
    const backlogs = samples.map((stored, i) => Math.round(rate * 5 * (i + 1)) - stored);
    const growing = backlogs.length > 4 && backlogs[backlogs.length - 1] > Math.max(rate, backlogs[Math.floor(backlogs.length / 2)] * 1.5);
    console.log(`${table} sustain ${rate}/s for ${Math.round((Date.now() - startedAt) / 1000)} s: backlog every 5 s ${backlogs.join(', ')}; at end ${backlog}`);
    await drain(pg, run, sent.accepted, table);
    if (sent.failed === 0 && backlog <= rate && !growing) return { rate, backlog, stored: await storeLatencies(pg, run, table) };
  }
  return undefined;
}

async function main() {
  const db = await createDatabase('e2e');
  const env = {
    ...platformEnv(db),
    INGEST_RATE_LIMIT_PER_MINUTE: '1000000',
    INGEST_IP_FLOOD_PER_MINUTE: '10000000',
    OUTBOUND_ALLOWED_CIDRS: '127.0.0.0/8',
    TOKEN_CACHE_TTL_MS: '60000',
    TOKEN_SERVICE_PORT: String(await freePort()),
    WEBHOOK_INGEST_PORT: String(await freePort()),
    MESSAGE_DISPATCH_PORT: String(await freePort()),
  };
  const arrivals = new Map();
  const receiver = await startReceiver(arrivals);
  const started = [];
  const pg = new Client({ connectionString: db.url });
  try {
    // BENCH_PROFILE=<dir> writes V8 CPU profiles of ingest and dispatch there (on exit).
    const prof = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
    const token = await startService('token-service', env);
    started.push(token);
    const { serving: ingest, projections } = await startIngest(env, prof);
    started.push(ingest, projections);
    const dispatch = await startService('message-dispatch', env, prof);
    started.push(dispatch);
    await pg.connect();

    const zapikey = await benchToken(token.base, env);
    const asUser = (p, body) =>
      fetch(dispatch.base + p, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Zoho-oauthtoken ${zapikey}` },
        body: JSON.stringify(body),
      });
    for (let i = 0; i < CHANNELS; i++) {
      await asUser('/api/v2/channels', { unique_name: `bench-${i}` });
      const sub = await asUser('/api/v1/subscriptions', {
        target: { kind: 'channelsbyname', name: `bench-${i}` },
        kind: 'standard-webhooks',
        url: receiver.url,
      });
      if (sub.status !== 201) throw new Error(`subscription: ${sub.status} ${await sub.text()}`);
    }
    await offer(ingest.base, zapikey, 'warmup', 200, 3);
    await drain(pg, 'warmup', 1);

    const fixed = [];
    for (const rate of RATES)
      fixed.push(await fixedStep(pg, arrivals, ingest.base, zapikey, rate, 'dispatch.message', [ingest.base, projections.base, dispatch.base]));

    // The same steps through the bare pieces, in the same run.
    const bareFixed = await withBare(env, db, receiver, async (base) => {
      const rows = [];
      for (const rate of RATES) rows.push(await fixedStep(pg, arrivals, base, zapikey, rate, 'bare_message'));
      return rows;
    });

    const sustained = await highestSustained(pg, ingest.base, zapikey, 'dispatch.message');
    const bareSustained = await withBare(env, db, receiver, (base) => highestSustained(pg, base, zapikey, 'bare_message'));

    const fmt = (n) => (Number.isFinite(n) ? n.toFixed(0) : '—');
    console.log(`\nEnd to end: POST → stored → delivered (Standard Webhooks, ${CHANNELS} channels, one subscription each), ${STEP_S} s per rate`);
    console.log('ingest: the POST as autocannon timed it; stored and delivered: from ingest accepting the POST to the row / to the receiver');
    console.log(
      `machine: ${os.cpus().length} × ${os.cpus()[0].model.trim()}, node ${process.version}; all services, PostgreSQL, NATS and the load on the same machine`,
    );
    console.log(
      '| pipeline, offered/s | accepted | failed | ingest p50/p99 ms | stored p50 ms | stored p99 ms | delivered p50 ms | delivered p99 ms | backlog at end | drained in ms |',
    );
    console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const [label, rows] of [
      ['Zapgate', fixed],
      ['bare pieces', bareFixed],
    ]) {
      for (const f of rows) {
        console.log(
          `| ${label} ${f.rate} | ${f.accepted} | ${f.failed} | ${f.ingestP50}/${f.ingestP99} | ${fmt(percentile(f.stored, 50))} | ${fmt(percentile(f.stored, 99))} | ` +
            `${fmt(percentile(f.delivered, 50))} | ${fmt(percentile(f.delivered, 99))} | ${f.backlogAtEnd} | ${fmt(f.drainMs)} |`,
        );
      }
    }
    console.log('\nWhere the time goes (zapgate_pipeline_stage_seconds scraped before and after each step; p50/p99 are bucket upper bounds)');
    console.log('| offered/s | stage | count | mean ms | p50 ms | p99 ms |');
    console.log('|---:|---|---:|---:|---:|---:|');
    for (const f of fixed) {
      for (const st of f.stages)
        console.log(`| ${f.rate} | ${st.stage} | ${st.count} | ${st.meanMs.toFixed(1)} | ${st.p50Ms.toFixed(1)} | ${st.p99Ms.toFixed(1)} |`);
    }
    if (sustained) {
      console.log(
        `Highest rate sustained for ${SUSTAIN_S} s without growing lag: ${sustained.rate}/s (backlog at end ${sustained.backlog}; stored p50 ${fmt(percentile(sustained.stored, 50))} ms, p99 ${fmt(percentile(sustained.stored, 99))} ms)`,
      );
    } else {
      console.log(`No ramp rate was sustained for ${SUSTAIN_S} s.`);
    }
    console.log(`The bare pipeline sustained ${bareSustained ? `${bareSustained.rate}/s` : 'no ramp rate'} for ${SUSTAIN_S} s.`);
    const summary = (f) => ({
      rate: f.rate,
      accepted: f.accepted,
      ingestP50: f.ingestP50,
      ingestP99: f.ingestP99,
      storedP50: percentile(f.stored, 50),
      storedP99: percentile(f.stored, 99),
      deliveredP50: percentile(f.delivered, 50),
      deliveredP99: percentile(f.delivered, 99),
      backlogAtEnd: f.backlogAtEnd,
      ...(f.stages?.length ? { stages: f.stages } : {}),
    });
    const result = {
      fixed: fixed.map(summary),
      bare: bareFixed.map(summary),
      sustained: sustained?.rate ?? 0,
      bareSustained: bareSustained?.rate ?? 0,
      sustainSeconds: SUSTAIN_S,
    };
    console.log(`JSON ${JSON.stringify(result)}`);
    if (process.env.BENCH_RESULT_FILE) fs.writeFileSync(process.env.BENCH_RESULT_FILE, JSON.stringify(result));
  } finally {
    await pg.end().catch(() => undefined);
    for (const service of started.reverse()) await service.stop();
    receiver.server.closeAllConnections();
    receiver.server.close();
    await db.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
