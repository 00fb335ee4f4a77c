import { Inject, Injectable, Logger } from '@nestjs/common';
import { Headers as HttpHeaders, RpcSchemas, type ReplyOf, type RequestOf, type RpcSubject } from '@zapgate/contracts';
import { ErrorCode, headers as natsHeaders, type Msg, type NatsConnection, type NatsError, type Subscription } from 'nats';
import { APP_CONFIG, type BaseConfig } from '../config';
import { CommonException, isOutage } from '../errors';
import { decodeJson, encodeJson } from './json-codec';
import { NatsNamespace } from './nats-namespace';
import { NATS_CONNECTION } from './nats.tokens';

/** Wire envelope of every reply, so a handler's failure is told apart from a bad reply. */
type ReplyEnvelope = { ok: true; data: unknown } | { ok: false; error: { code: string; message: string } };

/** The envelope's shape, checked by hand: it is two fields on the hottest path, and the data is parsed by its schema. */
function readEnvelope(value: unknown, subject: string): ReplyEnvelope {
  const v = value as Partial<{ ok: unknown; data: unknown; error: { code?: unknown; message?: unknown } }> | null;
  if (v && v.ok === true && 'data' in v) return v as ReplyEnvelope;
  if (v && v.ok === false && typeof v.error?.code === 'string' && typeof v.error.message === 'string') return v as ReplyEnvelope;
  throw new Error(`${subject}: the reply is not an envelope`);
}

export interface RpcContext {
  correlationId?: string;
}

export type RpcHandler<S extends RpcSubject> = (request: RequestOf<S>, ctx: RpcContext) => Promise<ReplyOf<S>>;

/**
 * Request/reply over core NATS. Replies need no persistence, so a queue-group
 * subscription spreads them over replicas. Each message is checked against
 * its contract once, where it enters a process: the request by the server,
 * the reply by the caller. What a process built itself from typed values is
 * not parsed again on its way out.
 */
@Injectable()
export class RpcService {
  private readonly logger = new Logger(RpcService.name);
  private readonly subscriptions: Subscription[] = [];

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly ns: NatsNamespace,
    @Inject(APP_CONFIG) private readonly config: BaseConfig,
  ) {}

  async request<S extends RpcSubject>(subject: S, request: RequestOf<S>, ctx: RpcContext = {}): Promise<ReplyOf<S>> {
    const schemas = RpcSchemas[subject];
    const h = natsHeaders();
    if (ctx.correlationId) h.set(HttpHeaders.CorrelationId, ctx.correlationId);
    let msg: Msg;
    try {
      msg = await this.nc.request(this.ns.subject(subject), encodeJson(request), {
        timeout: this.config.NATS_REQUEST_TIMEOUT_MS,
        headers: h,
      });
    } catch (err) {
      const code = (err as NatsError).code;
      if (code === ErrorCode.NoResponders || code === ErrorCode.Timeout || code === ErrorCode.Disconnect || this.nc.isClosed()) {
        throw CommonException.unavailable(`The ${subject.split('.')[1]} service`);
      }
      throw err;
    }
    const envelope = readEnvelope(decodeJson(msg.data), subject);
    if (!envelope.ok) {
      // The other service could not reach its own dependencies: to our caller that is an unavailable dependency too.
      if (envelope.error.code === 'service_unavailable') throw CommonException.unavailable(`The ${subject.split('.')[1]} service`);
      throw new Error(`${subject} failed remotely: ${envelope.error.code}`);
    }
    return schemas.reply.parse(envelope.data) as ReplyOf<S>;
  }

  /** Answers `subject` from a queue group named after the service. */
  serve<S extends RpcSubject>(subject: S, queue: string, handler: RpcHandler<S>): void {
    const schemas = RpcSchemas[subject];
    const sub = this.nc.subscribe(this.ns.subject(subject), {
      queue,
      callback: (err, msg) => {
        if (err) {
          this.logger.error({ err, subject }, 'rpc subscription error');
          return;
        }
        void this.answer(msg, subject, schemas, handler);
      },
    });
    this.subscriptions.push(sub);
  }

  private async answer<S extends RpcSubject>(msg: Msg, subject: S, schemas: (typeof RpcSchemas)[S], handler: RpcHandler<S>): Promise<void> {
    const correlationId = msg.headers?.get(HttpHeaders.CorrelationId) || undefined;
    try {
      const parsed = schemas.request.safeParse(decodeJson(msg.data));
      if (!parsed.success) {
        msg.respond(encodeJson({ ok: false, error: { code: 'invalid_request', message: 'request does not match the contract' } }));
        return;
      }
      const reply = await handler(parsed.data as RequestOf<S>, { correlationId });
      msg.respond(encodeJson({ ok: true, data: reply }));
    } catch (err) {
      const unavailable = isOutage(err);
      this.logger.error({ err, subject, correlationId }, unavailable ? 'rpc handler could not reach a dependency' : 'rpc handler failed');
      msg.respond(
        encodeJson({
          ok: false,
          error: unavailable ? { code: 'service_unavailable', message: 'a dependency is unavailable' } : { code: 'internal_error', message: 'handler failed' },
        }),
      );
    }
  }

  /** Called by NatsModule before it drains the connection. */
  stopServing(): void {
    // Stop taking requests; those in flight still get their answer before the connection drains.
    for (const sub of this.subscriptions) sub.unsubscribe();
  }
}
