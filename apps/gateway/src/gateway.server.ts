import replyFrom from '@fastify/reply-from';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { consoleRoutes } from './console/console-static';
import { mergeDocuments } from './docs/merged-openapi';
import { docsRoutes } from './docs/docs.routes';
import { forwardedFor } from './forwarding/forwarded-for';
import type { GatewayConfig } from './gateway-config.schema';
import { RouteTable, type OpenApiPaths, type ServiceName } from './routing/route-table';
import { readiness, systemStatus } from './system/system-status';

export interface GatewayOptions {
  config: GatewayConfig;
  logger: Logger;
  /** The services' OpenAPI documents (the ones this build was made with). */
  documents: Record<ServiceName, OpenApiPaths & Record<string, unknown>>;
  /** The built console, if there is one. */
  consoleDir?: string;
  version: string;
}

/** Headers a hop must not pass on (RFC 9110 §7.6.1), and those the gateway sets itself. */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'x-forwarded-for', 'forwarded'];

/** Cliq's error body, as the services answer it. */
function error<R extends { status(code: number): { header(k: string, v: string): { send(body: unknown): unknown } } }>(
  reply: R,
  status: number,
  code: string,
  message: string,
) {
  return reply.status(status).header('content-type', 'application/json; charset=utf-8').send({ code, message });
}

/**
 * The one origin: each request whose method and path a service documents goes to that
 * service, byte for byte (the body is never parsed: signatures over it stay valid) and
 * streamed both ways (SSE included); /console and /docs are served here.
 */
export async function buildGateway(options: GatewayOptions): Promise<FastifyInstance> {
  const { config } = options;
  const upstreams: Record<ServiceName, string> = {
    token: config.TOKEN_SERVICE_URL,
    ingest: config.WEBHOOK_INGEST_URL,
    dispatch: config.MESSAGE_DISPATCH_URL,
    oauth: config.OAUTH_REFRESH_URL,
  };
  const table = new RouteTable(options.documents);
  const app: FastifyInstance = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    // The services log each request they answer; a second line per request here would only repeat it.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    bodyLimit: 64 * 1024 * 1024,
  });

  // Bodies go through untouched as streams: the services parse, bound and verify them.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'zapgate_gateway_' });
  const requests = new Counter({
    name: 'zapgate_gateway_requests_total',
    help: 'Requests through the gateway by service and status.',
    labelNames: ['service', 'status_code'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'zapgate_gateway_request_duration_seconds',
    help: 'Time from request to the service answer headers, by service.',
    labelNames: ['service'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });

  await app.register(replyFrom, {
    undici: { headersTimeout: config.GATEWAY_UPSTREAM_TIMEOUT_MS, bodyTimeout: 0, connections: 128, pipelining: 1 },
    // Nothing is retried: a POST must reach a service once or fail visibly.
    retryMethods: [],
  });

  app.get('/health/live', async () => ({ status: 'ok' }));
  app.get('/health/ready', async (_request, reply) => {
    const ready = await readiness(upstreams);
    const up = Object.values(ready).every(Boolean);
    const services = Object.fromEntries(Object.entries(ready).map(([service, ok]) => [service, ok ? 'up' : 'down']));
    return reply.status(up ? 200 : 503).send({ status: up ? 'ok' : 'degraded', services });
  });
  app.get('/metrics', async (_request, reply) => reply.header('content-type', registry.contentType).send(await registry.metrics()));
  // The console's System page; the same kind of data as the services' own health routes.
  app.get('/api/v1/system/status', async () => {
    const ingest = (await requests.get()).values.filter((v) => v.labels.service === 'ingest').reduce((n, v) => n + v.value, 0);
    return systemStatus(upstreams, ingest);
  });

  await docsRoutes(app, mergeDocuments(options.documents as never, options.version));
  if (options.consoleDir && existsSync(join(options.consoleDir, 'index.html'))) await consoleRoutes(app, options.consoleDir);
  else app.get('/console', async (_request, reply) => error(reply, 404, 'not_found', 'The console is not built: run npm run build.'));
  app.get('/', async (_request, reply) => reply.redirect('/console/'));

  const forward = (request: FastifyRequest, reply: FastifyReply) => {
    const service = table.serviceFor(request.method, request.url);
    if (!service) {
      if (table.servesPath(request.url)) return error(reply, 405, 'method_not_allowed', `${request.method} is not allowed here.`);
      return error(reply, 404, 'not_found', `No API at ${request.url.split('?')[0]}.`);
    }
    const started = process.hrtime.bigint();
    return reply.from(upstreams[service] + request.url, {
      rewriteRequestHeaders: (original, headers) => {
        const out: Record<string, string | string[] | undefined> = { ...headers };
        for (const name of HOP_BY_HOP) delete out[name];
        const xff = forwardedFor(original.socket.remoteAddress, original.headers['x-forwarded-for'], config.GATEWAY_TRUSTED_PROXIES);
        if (xff) out['x-forwarded-for'] = xff;
        out['x-forwarded-proto'] = original.protocol;
        out['x-forwarded-host'] = original.headers.host;
        return out as Record<string, string>;
      },
      onResponse: (_request, res, upstream) => {
        duration.observe({ service }, Number(process.hrtime.bigint() - started) / 1e9);
        requests.inc({ service, status_code: String(upstream.statusCode) });
        void res.send(upstream.stream);
      },
      onError: (res, { error: err }) => {
        const timedOut = (err as { code?: string }).code === 'UND_ERR_HEADERS_TIMEOUT';
        requests.inc({ service, status_code: timedOut ? '504' : '503' });
        options.logger.warn({ service, err: (err as Error).message }, timedOut ? 'service too slow' : 'service unreachable');
        if (timedOut) return void error(res, 504, 'gateway_timeout', `${service} did not answer within ${config.GATEWAY_UPSTREAM_TIMEOUT_MS} ms.`);
        void res.header('retry-after', '1');
        void error(res, 503, 'service_unavailable', `${service} did not answer; try again shortly.`);
      },
    });
  };
  app.all('/*', forward);
  return app;
}
