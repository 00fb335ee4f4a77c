// The denominator of bench:e2e: the same pipeline with nothing but the bare pieces. A Fastify server
// publishes each POST to JetStream (answering 204 after the PubAck); a pull consumer in the same
// process inserts it into PostgreSQL and POSTs it to the receiver, then acks. No auth, no schema, no
// channel store, no subscriptions table, no signatures.
'use strict';
const fastify = require('fastify');
const http = require('node:http');
const crypto = require('node:crypto');
const { connect, StorageType, AckPolicy } = require('nats');
const { Pool } = require('pg');

async function main() {
  const [port, natsUrl, stream, databaseUrl, receiverUrl] = process.argv.slice(2);
  const pool = new Pool({ connectionString: databaseUrl, max: 10 });
  await pool.query(
    `CREATE TABLE IF NOT EXISTS bare_message (id uuid PRIMARY KEY, text text, received_at timestamptz NOT NULL, stored_at timestamptz NOT NULL DEFAULT now())`,
  );
  const nc = await connect({ servers: natsUrl, noAsyncTraces: true });
  const jsm = await nc.jetstreamManager();
  await jsm.streams.add({ name: stream, subjects: [`${stream}.>`], storage: StorageType.File });
  await jsm.consumers.add(stream, { durable_name: 'bare', ack_policy: AckPolicy.Explicit });
  const js = nc.jetstream();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64, timeout: 4000 });
  const target = new URL(receiverUrl);

  const app = fastify({ logger: false, bodyLimit: 1024 * 1024 });
  app.post('/api/v2/channelsbyname/:name/message', async (req, reply) => {
    const id = crypto.randomUUID();
    await js.publish(`${stream}.received`, JSON.stringify({ id, text: req.body.text, receivedAt: new Date().toISOString() }), { msgID: id });
    reply.code(204).send();
  });
  await app.listen({ port: Number(port), host: '127.0.0.1' });

  const consumer = await js.consumers.get(stream, 'bare');
  const messages = await consumer.consume({ max_messages: 16 });
  const inFlight = new Set();
  (async () => {
    for await (const m of messages) {
      const task = (async () => {
        const event = m.json();
        await pool.query(`INSERT INTO bare_message (id, text, received_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [
          event.id,
          event.text,
          event.receivedAt,
        ]);
        const body = JSON.stringify({ type: 'message.created', data: { id: event.id, time: event.receivedAt, content: { text: event.text } } });
        await new Promise((resolve, reject) => {
          const req = http.request(
            target,
            { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
            (res) => {
              res.resume();
              res.on('end', resolve);
            },
          );
          req.on('error', reject);
          req.end(body);
        });
        m.ack();
      })()
        .catch(() => m.nak(1000))
        .finally(() => inFlight.delete(task));
      inFlight.add(task);
      if (inFlight.size >= 16) await Promise.race(inFlight);
    }
  })();

  process.send?.('ready');
  process.on('SIGTERM', async () => {
    messages.stop();
    await app.close();
    await jsm.streams.delete(stream).catch(() => undefined);
    await nc.drain();
    await pool.end();
    process.exit(0);
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
