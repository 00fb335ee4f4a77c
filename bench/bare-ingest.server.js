// The denominator of bench:ingest: a bare Fastify server that publishes each
// body to JetStream and answers 204 after the PubAck, nothing else.
'use strict';
const crypto = require('node:crypto');
const fastify = require('fastify');
const { connect, StorageType } = require('nats');

async function main() {
  const [port, natsUrl, stream] = process.argv.slice(2);
  const nc = await connect({ servers: natsUrl, noAsyncTraces: true });
  const jsm = await nc.jetstreamManager();
  await jsm.streams.add({ name: stream, subjects: [`${stream}.>`], storage: StorageType.File });
  const js = nc.jetstream();
  const app = fastify({ logger: false, bodyLimit: 1024 * 1024 });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.post('/api/v2/channelsbyname/:name/message', async (req, reply) => {
    const id = crypto.randomUUID();
    await js.publish(`${stream}.received`, req.body, { msgID: id });
    reply.code(204).send();
  });
  await app.listen({ port: Number(port), host: '127.0.0.1' });
  process.send?.('ready');
  process.on('SIGTERM', async () => {
    await app.close();
    await jsm.streams.delete(stream).catch(() => undefined);
    await nc.drain();
    process.exit(0);
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
