import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** The console's built files under /console/, and its index for every other /console path (client-side routes). */
export async function consoleRoutes(app: FastifyInstance, dir: string): Promise<void> {
  await app.register(fastifyStatic, { root: dir, prefix: '/console/', decorateReply: true, index: 'index.html', wildcard: false });
  const index = (_request: unknown, reply: { sendFile(file: string, root: string): unknown; header(k: string, v: string): unknown }) => {
    reply.header('cache-control', 'no-cache');
    return reply.sendFile('index.html', dir);
  };
  app.get('/console', index);
  app.get('/console/*', index);
}
