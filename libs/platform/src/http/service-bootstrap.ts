import { type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { Headers as HttpHeaders } from '@zapgate/contracts';
import { LogController } from 'fastify';
import type { Socket } from 'node:net';
import { parse as parseQueryString } from 'node:querystring';
import type pino from 'pino';
import type { z } from 'zod';
import { type BaseConfig, ConfigValidationError, describeConfig, loadConfig } from '../config';
import { assertStorable, parseJsonBody } from '../json';
import { createRootLogger, PinoLoggerService, redactUrl } from '../logging';
import { MetricsService } from '../metrics';
import { correlationIdFrom } from './correlation-id';
import { completeDocument, documentConfig } from './openapi-document';
import { handleSignals } from './process-signals';

export interface ServiceDefinition<S extends z.ZodObject> {
  /** e.g. `token-service`; used in logs, metrics and the NATS connection name. */
  name: string;
  title: string;
  description: string;
  configSchema: S;
  /** Config variables whose values are never printed. */
  secrets: readonly string[];
  port: (config: z.infer<S>) => number;
  rootModule: (config: z.infer<S>) => DynamicModule;
  /**
   * Every body arrives as the exact bytes received (a Buffer), whatever its
   * content type: for signature checks and for handlers that need the raw body.
   */
  rawBody?: boolean;
  /** Lets a service register content-type parsers or hooks before routes are bound. */
  configureFastify?: (adapter: FastifyAdapter, config: z.infer<S>) => void;
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  /** Where JSON log lines go (tests capture them); stdout by default. */
  logDestination?: pino.DestinationStream;
  /** 0 picks a free port (tests). */
  portOverride?: number;
}

const QUIET_ROUTES = new Set(['/health/live', '/health/ready', '/health/consumers', '/metrics']);

/** Builds, configures and starts one service; resolves once it listens. */
export async function startService<S extends z.ZodObject>(def: ServiceDefinition<S>, options: StartOptions = {}): Promise<NestFastifyApplication> {
  const config = loadConfig(def.configSchema, options.env ?? process.env) as z.infer<S> & BaseConfig;
  const root = createRootLogger({ service: def.name, level: config.LOG_LEVEL, format: config.LOG_FORMAT, destination: options.logDestination });
  root.info({ config: describeConfig(config, def.secrets) }, 'starting');

  // Set once the app exists; the HTTP server can cut a request before then.
  let countTimeout = (): void => undefined;
  const adapter = new FastifyAdapter({
    loggerInstance: root,
    // The whole request must arrive within this time; Node checks every second and answers 408. Node 20 reads the
    // timeout when the server is created (setting it afterwards, as Fastify's own option does, is not enforced).
    requestTimeout: config.HTTP_REQUEST_TIMEOUT_MS,
    http: { requestTimeout: config.HTTP_REQUEST_TIMEOUT_MS, connectionsCheckingInterval: Math.min(1000, config.HTTP_REQUEST_TIMEOUT_MS) },
    clientErrorHandler: (err: NodeJS.ErrnoException, socket: Socket) => answerClientError(err, socket, countTimeout),
    // Fastify's own request/response lines are replaced by one access line per request (onResponse below).
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.HTTP_BODY_LIMIT_BYTES,
    genReqId: (req: { headers: NodeJS.Dict<string | string[]> }) => correlationIdFrom(req.headers[HttpHeaders.CorrelationId]),
    // The gateway runs beside the services: its X-Forwarded-For is the client's address (per-IP limits, audit, last_used_ip).
    trustProxy: config.TRUSTED_PROXIES ?? (config.NODE_ENV === 'production' ? ['loopback', 'uniquelocal'] : ['loopback']),
  });
  const instance = adapter.getInstance();
  if (def.rawBody) {
    instance.removeAllContentTypeParsers();
    instance.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  } else {
    // One JSON parser for every service (Nest's own is off): bounded depth and size, and only strings PostgreSQL can store.
    const limits = { maxDepth: config.JSON_MAX_DEPTH, maxMembers: config.JSON_MAX_MEMBERS };
    const textParser = (parse: (body: string) => unknown) => (_req: unknown, body: string | Buffer, done: (err: Error | null, value?: unknown) => void) => {
      try {
        done(null, parse(body as string));
      } catch (err) {
        done(err as Error, undefined);
      }
    };
    instance.addContentTypeParser(
      'application/json',
      { parseAs: 'string' },
      textParser((body) => parseJsonBody(body, limits)),
    );
    instance.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string' },
      textParser((body) => {
        const fields = parseQueryString(body);
        assertStorable(fields);
        return fields;
      }),
    );
  }
  def.configureFastify?.(adapter, config);

  const app = await NestFactory.create<NestFastifyApplication>(def.rootModule(config), adapter, {
    logger: new PinoLoggerService(root),
    abortOnError: false,
    // Body parsers are registered above, the same in every service.
    bodyParser: false,
  });
  const metrics = app.get(MetricsService);
  const timeouts = metrics.counter(
    'zapgate_http_request_timeouts_total',
    'Requests cut with 408 because head or body did not arrive within HTTP_REQUEST_TIMEOUT_MS.',
  );
  countTimeout = () => timeouts.inc();
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onSend', async (request, reply, payload) => {
    reply.header(HttpHeaders.CorrelationId, request.id);
    return payload;
  });
  // Shutdown phases at debug: a shutdown that hangs says where.
  fastify.addHook('onClose', async () => root.debug('HTTP server closed'));
  fastify.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.observeHttp({ method: request.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
    if (!QUIET_ROUTES.has(route)) {
      request.log.info(
        { method: request.method, url: redactUrl(request.url), status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 },
        'request',
      );
    }
  });

  const document = completeDocument(SwaggerModule.createDocument(app, documentConfig(def)));
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });

  // Fastify says it once ("Server listening at …"): no second line of our own.
  await app.listen({ port: options.portOverride ?? def.port(config), host: config.HOST });
  return app;
}

/** An HTTP/1.1 answer written straight to a socket that has no request object yet. */
function rawAnswer(statusLine: string, body: { code: string; message: string }): string {
  const text = JSON.stringify(body);
  return `HTTP/1.1 ${statusLine}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`;
}

/**
 * Errors the HTTP parser raises before Fastify has a request (a request not
 * received in time, a malformed head). As Fastify's default, but the timeout
 * is counted and both answer with Zapgate's error body.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Socket, countTimeout: () => void): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  let answer: string;
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    countTimeout();
    answer = rawAnswer('408 Request Timeout', { code: 'request_timeout', message: 'The request did not arrive in time.' });
  } else if (err.code === 'HPE_HEADER_OVERFLOW') {
    answer = rawAnswer('431 Request Header Fields Too Large', { code: 'headers_too_large', message: 'The request headers are too large.' });
  } else {
    answer = rawAnswer('400 Bad Request', { code: 'invalid_request', message: 'The request could not be parsed.' });
  }
  if (socket.writable) socket.write(answer);
  socket.destroy();
}

/** Entry point for main.ts: a bad config stops the process with a message naming the variable. */
export function runService<S extends z.ZodObject>(def: ServiceDefinition<S>): void {
  startService(def)
    .then((app) => handleSignals(app, def.name))
    .catch((err: unknown) => {
      if (err instanceof ConfigValidationError) {
        process.stderr.write(`${def.name}: invalid configuration\n${err.issues.map((i) => `  ${i.variable}: ${i.message}`).join('\n')}\n`);
      } else {
        process.stderr.write(`${def.name}: failed to start: ${(err as Error)?.stack ?? String(err)}\n`);
      }
      process.exit(1);
    });
}
