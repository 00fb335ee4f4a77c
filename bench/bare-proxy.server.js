// The bare baseline for the gateway: Fastify + @fastify/reply-from forwarding every request,
// body unparsed, to one upstream. What any proxy hop costs, nothing of Zapgate's own.
'use strict';
const Fastify = require('fastify');
const replyFrom = require('@fastify/reply-from');

async function main() {
  const [port, upstream] = process.argv.slice(2);
  const app = Fastify({ logger: false });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
  await app.register(replyFrom, { base: upstream, undici: { connections: 128, pipelining: 1 } });
  app.all('/*', (request, reply) => reply.from(request.url));
  await app.listen({ port: Number(port), host: '127.0.0.1' });
  process.send?.('ready');
}

void main();
