// Keeping many OAuth connections fresh: BENCH_CONNECTIONS (10,000) connections whose access tokens
// live BENCH_TOKEN_TTL_S (60 s), refreshed by BENCH_REPLICAS oauth-refresh processes against a local
// provider that rotates refresh tokens and counts every call. Prints refreshes per second, refreshes
// that came after the old token had expired, and provider calls per connection per token generation.
'use strict';
const crypto = require('node:crypto');
const http = require('node:http');
const os = require('node:os');
const { Client, Pool } = require('pg');
const { SecretBox, encryptionKeysSchema } = require('@zapgate/platform');
const { adminPost, createDatabase, freePort, platformEnv, startService } = require('./bench-support');

const N = Number(process.env.BENCH_CONNECTIONS || 10_000);
const TTL = Number(process.env.BENCH_TOKEN_TTL_S || 60);
const DURATION_S = Number(process.env.BENCH_DURATION_S || 150);
const REPLICAS = Number(process.env.BENCH_REPLICAS || 1);

/** The provider: rotates the refresh token on every use; a spent or unknown one is invalid_grant (a double refresh). */
function startProvider(stats, tokens) {
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const params = new URLSearchParams(Buffer.concat(chunks).toString());
      const now = Date.now();
      const entry = tokens.get(params.get('refresh_token'));
      if (params.get('grant_type') !== 'refresh_token' || !entry) {
        stats.invalid++;
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"invalid_grant"}');
        return;
      }
      tokens.delete(params.get('refresh_token'));
      stats.calls++;
      stats.callsByConnection[entry.conn]++;
      stats.secondsBeforeExpiry.push((entry.expiresAt - now) / 1000);
      if (now > entry.expiresAt) stats.late++;
      const refreshToken = `rt.${entry.conn}.${entry.gen + 1}.${crypto.randomBytes(6).toString('hex')}`;
      tokens.set(refreshToken, { conn: entry.conn, gen: entry.gen + 1, expiresAt: now + TTL * 1000 });
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ access_token: `at.${entry.conn}.${entry.gen + 1}`, refresh_token: refreshToken, token_type: 'Bearer', expires_in: TTL }));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${server.address().port}` })));
}

function percentile(values, p) {
  const sorted = Float64Array.from(values).sort();
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
}

async function main() {
  const db = await createDatabase('oauth');
  const env = {
    ...platformEnv(db),
    OUTBOUND_ALLOWED_CIDRS: '127.0.0.0/8',
    DATABASE_POOL_SIZE: '20',
  };
  const stats = { calls: 0, invalid: 0, late: 0, secondsBeforeExpiry: [], callsByConnection: new Array(N).fill(0) };
  const tokens = new Map();
  const provider = await startProvider(stats, tokens);
  const services = [];
  const pg = new Client({ connectionString: db.url });
  try {
    for (let i = 0; i < REPLICAS; i++) services.push(await startService('oauth-refresh', { ...env, OAUTH_REFRESH_PORT: String(await freePort()) }));
    await pg.connect();
    const created = await adminPost(services[0].base, env, '/api/v1/connectors', {
      name: 'bench',
      client_id: 'bench',
      client_secret: 'bench-secret',
      authorization_url: `${provider.url}/auth`,
      token_url: `${provider.url}/token`,
    });

    // Seed the connections as if each had just been authorized at a random point of the last token lifetime.
    const keys = encryptionKeysSchema.parse(env.ENCRYPTION_KEYS);
    const box = new SecretBox(keys.keys, keys.currentKeyId);
    const lead = Math.min(300, TTL / 2);
    const seedStart = Date.now();
    for (let start = 0; start < N; start += 1000) {
      const rows = [];
      for (let i = start; i < Math.min(N, start + 1000); i++) {
        const id = crypto.randomUUID();
        const expiresAt = Date.now() + (lead + 2 + Math.random() * (TTL - lead)) * 1000;
        const refreshToken = `rt.${i}.0`;
        tokens.set(refreshToken, { conn: i, gen: 0, expiresAt });
        rows.push([
          id,
          created.id,
          `user-${i}`,
          box.seal(`at.${i}.0`, `${id}:access`),
          box.seal(refreshToken, `${id}:refresh`),
          new Date(expiresAt),
          new Date(expiresAt - (lead + Math.random() * Math.min(30, TTL / 10)) * 1000),
          new Date(expiresAt - TTL * 1000),
        ]);
      }
      const values = rows.map((_, r) => `(${Array.from({ length: 8 }, (_, c) => `$${r * 8 + c + 1}`).join(', ')})`).join(', ');
      await pg.query(
        `INSERT INTO oauth.connection (id, connector_id, user_ref, access_token_sealed, refresh_token_sealed, expires_at, refresh_at, last_refreshed_at) VALUES ${values}`,
        rows.flat(),
      );
    }
    console.log(`seeded ${N} connections in ${Date.now() - seedStart} ms; running ${DURATION_S} s with ${REPLICAS} oauth-refresh process(es)`);

    const started = Date.now();
    const samples = [];
    while (Date.now() - started < DURATION_S * 1000) {
      await new Promise((r) => setTimeout(r, 10_000));
      samples.push(`${Math.round((Date.now() - started) / 1000)} s: ${stats.calls} calls, ${stats.late} late`);
    }
    const elapsed = (Date.now() - started) / 1000;
    const steadyCalls = stats.calls;
    const steadyLate = stats.late;
    const steadyDoubles = stats.invalid;
    const { rows: statusRows } = await pg.query(
      `SELECT status, count(*)::int AS n, sum(generation - 1)::int AS generations FROM oauth.connection GROUP BY status`,
    );
    const generations = statusRows.reduce((sum, r) => sum + r.generations, 0);
    const beforeExpiry = { p1: percentile(stats.secondsBeforeExpiry, 1), p50: percentile(stats.secondsBeforeExpiry, 50) };
    const perConnectionSteady = [...stats.callsByConnection];

    // Capacity: every connection due at once; how fast does the service work through them?
    const { rows: genRows } = await pg.query(`SELECT coalesce(sum(generation), 0)::int AS g FROM oauth.connection`);
    const capStart = Date.now();
    await pg.query(`UPDATE oauth.connection SET refresh_at = now()`);
    for (;;) {
      const { rows } = await pg.query(`SELECT count(*)::int AS n FROM oauth.connection WHERE last_refreshed_at >= $1`, [new Date(capStart)]);
      if (rows[0].n >= N || Date.now() - capStart > 300_000) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const zapgateCapacity = N / ((Date.now() - capStart) / 1000);
    const { rows: genAfter } = await pg.query(`SELECT coalesce(sum(generation), 0)::int AS g FROM oauth.connection`);

    // The bare baseline, same provider, same database: claim due rows, call the provider, update the row. No
    // encryption, lease, fence, journal, budget or event.
    for (const s of services) await s.stop();
    services.length = 0;
    await pg.query(
      `CREATE TABLE bare_connection (id int PRIMARY KEY, refresh_token text NOT NULL, expires_at timestamptz, refresh_at timestamptz NOT NULL DEFAULT now())`,
    );
    for (let start = 0; start < N; start += 1000) {
      const ids = Array.from({ length: Math.min(1000, N - start) }, (_, k) => start + k);
      for (const i of ids) tokens.set(`brt.${i}.0`, { conn: i, gen: 0, expiresAt: Date.now() + TTL * 1000 });
      await pg.query(`INSERT INTO bare_connection (id, refresh_token) SELECT i, 'brt.' || i || '.0' FROM unnest($1::int[]) AS i`, [ids]);
    }
    const barePool = new Pool({ connectionString: db.url, max: 20 });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 64, timeout: 4000 });
    const bareStart = Date.now();
    let bareDone = 0;
    const bareCall = (refreshToken) =>
      new Promise((resolve, reject) => {
        const body = new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: refreshToken,
          client_id: 'bench',
          client_secret: 'bench-secret',
        }).toString();
        const req = http.request(
          `${provider.url}/token`,
          { method: 'POST', agent, headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } },
          (res) => {
            const chunks = [];
            res.on('data', (c) => chunks.push(c));
            res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString())));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        for (;;) {
          const client = await barePool.connect();
          try {
            await client.query('BEGIN');
            const { rows } = await client.query(
              `SELECT id, refresh_token FROM bare_connection WHERE refresh_at <= $1 ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED`,
              [new Date(bareStart)],
            );
            if (!rows.length) {
              await client.query('ROLLBACK');
              return;
            }
            const answer = await bareCall(rows[0].refresh_token);
            await client.query(
              `UPDATE bare_connection SET refresh_token = $2, expires_at = now() + make_interval(secs => $3), refresh_at = now() + interval '1 hour' WHERE id = $1`,
              [rows[0].id, answer.refresh_token, answer.expires_in],
            );
            await client.query('COMMIT');
            bareDone++;
          } finally {
            client.release();
          }
        }
      }),
    );
    const bareCapacity = bareDone / ((Date.now() - bareStart) / 1000);
    await barePool.end();
    const perConnection = perConnectionSteady;
    console.log(samples.join('\n'));
    console.log(
      `\nOAuth refresh: ${N} connections, ${TTL} s access tokens (refresh ${lead} s ahead, jittered), ${REPLICAS} process(es), ${Math.round(elapsed)} s`,
    );
    console.log(
      `machine: ${os.cpus().length} × ${os.cpus()[0].model.trim()}, node ${process.version}; provider, PostgreSQL, NATS and oauth-refresh on the same machine`,
    );
    console.log('| measure | value |');
    console.log('|---|---:|');
    console.log(`| refreshes per second (needed: ${Math.round(N / (TTL - lead))}) | ${(steadyCalls / elapsed).toFixed(0)} |`);
    console.log(`| provider calls | ${steadyCalls} |`);
    console.log(`| refreshed late (after the old token expired) | ${steadyLate} |`);
    console.log(`| seconds before expiry at refresh, p1 / p50 | ${beforeExpiry.p1.toFixed(1)} / ${beforeExpiry.p50.toFixed(1)} |`);
    console.log(`| double refreshes (spent refresh token used again) | ${steadyDoubles} |`);
    console.log(`| provider calls per connection per token generation | ${(steadyCalls / Math.max(1, generations)).toFixed(3)} |`);
    console.log(`| calls per connection over the run, min / max | ${Math.min(...perConnection)} / ${Math.max(...perConnection)} |`);
    console.log(`| connections not active at the end | ${statusRows.filter((r) => r.status !== 'active').reduce((s, r) => s + r.n, 0)} |`);
    console.log(`| capacity: all ${N} due at once, refreshes per second — Zapgate / bare loop | ${zapgateCapacity.toFixed(0)} / ${bareCapacity.toFixed(0)} |`);
    console.log(
      `| provider calls per generation in the capacity run | ${((stats.calls - steadyCalls - bareDone) / Math.max(1, genAfter[0].g - genRows[0].g)).toFixed(3)} |`,
    );
    const result = {
      connections: N,
      ttl: TTL,
      perSecond: steadyCalls / elapsed,
      needed: N / (TTL - lead),
      late: steadyLate,
      doubles: steadyDoubles,
      callsPerGeneration: steadyCalls / Math.max(1, generations),
      capacity: { zapgate: zapgateCapacity, bare: bareCapacity },
    };
    console.log(`JSON ${JSON.stringify(result)}`);
    if (process.env.BENCH_RESULT_FILE) require('node:fs').writeFileSync(process.env.BENCH_RESULT_FILE, JSON.stringify(result));
  } finally {
    await pg.end().catch(() => undefined);
    for (const s of services.reverse()) await s.stop();
    provider.server.closeAllConnections();
    provider.server.close();
    await db.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
