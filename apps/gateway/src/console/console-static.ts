import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** The console's built files under /console/, and its index for every other /console path (client-side routes). */
export async function consoleRoutes(app: FastifyInstance, dir: string): Promise<void> {
  await app.register(fastifyStatic, { root: dir, prefix: '/console/', decorateReply: true, index: 'index.html', wildcard: false });
  const index = (_request: unknown, reply: FastifyReply) => {
    reply.header('cache-control', 'no-cache');
    return reply.sendFile('index.html', dir);
  };
  app.get('/console', index);
  app.get('/console/*', index);
}
