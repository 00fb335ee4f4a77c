import { Inject, Injectable, Logger } from '@nestjs/common';
import { EventSchemas, Headers as HttpHeaders, type EventSubject, type PayloadOf } from '@zapgate/contracts';
import {
  DiscardPolicy,
  ErrorCode,
  type JetStreamClient,
  type NatsConnection,
  type NatsError,
  type PubAck,
  RetentionPolicy,
  StorageType,
  headers as natsHeaders,
  nanos,
  type Subscription,
} from 'nats';
import { TurnBatcher } from '../batching/turn-batcher';
import { APP_CONFIG, type BaseConfig } from '../config';
import { CommonException } from '../errors';
import { decodeJson, encodeJson } from './json-codec';
import { NatsNamespace } from './nats-namespace';
import { NATS_CONNECTION } from './nats.tokens';
import { whileJetStreamStarts } from './while-jetstream-starts';

export interface StreamDefinition {
  readonly name: string;
  readonly subjects: readonly string[];
}

export interface PublishOptions {
  /** The natural key of the event; JetStream drops a repeat within its duplicate window. */
  msgID: string;
  correlationId?: string;
  /**
   * The payload was built here from parts already validated where they entered the process (and
   * fields this code sets): it is not parsed again on its way out. VALIDATE_CONTRACTS (the tests)
   * checks it anyway, so a builder that drifts from the contract fails a test, not a consumer.
   */
  built?: boolean;
}

/** Durable events: streams provisioned idempotently, publishes that resolve only on the PubAck. */
@Injectable()
export class JetStreamService {
  private readonly logger = new Logger(JetStreamService.name);
  private readonly js: JetStreamClient;
  /** The publishes of one event-loop turn leave in one socket write (see TurnBatcher). */
  private readonly sameWrite = new TurnBatcher();

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly ns: NatsNamespace,
    @Inject(APP_CONFIG) private readonly config: BaseConfig,
  ) {
    this.js = nc.jetstream({ timeout: config.NATS_REQUEST_TIMEOUT_MS });
  }

  /**
   * Creates the stream, or brings an existing one to this config; safe from every replica at once,
   * and tried again while a clustered JetStream is still electing leaders.
   */
  async ensureStream(def: StreamDefinition): Promise<void> {
    await whileJetStreamStarts(`stream ${def.name}`, () => this.provision(def), this.logger);
  }

  private async provision(def: StreamDefinition): Promise<void> {
    const jsm = await this.nc.jetstreamManager();
    const name = this.ns.stream(def.name);
    const config = {
      name,
      subjects: def.subjects.map((s) => this.ns.subject(s)),
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      num_replicas: this.config.JETSTREAM_REPLICAS,
      duplicate_window: nanos(2 * 60_000),
      max_age: nanos(7 * 24 * 3600_000),
    };
    try {
      await jsm.streams.info(name);
      await jsm.streams.update(name, config);
    } catch (err) {
      if ((err as NatsError).api_error?.err_code !== 10059) throw err; // 10059: stream not found
      try {
        await jsm.streams.add(config);
        this.logger.debug({ stream: name }, 'stream created');
      } catch (addErr) {
        // Another replica won the race; its stream has the same config.
        if ((addErr as NatsError).api_error?.err_code !== 10058) throw addErr;
      }
    }
  }

  /**
   * Validates the payload against the contract (unless it is `built` from validated parts) and publishes it. Resolves once
   * JetStream has stored it; NATS being unreachable surfaces as a 503, never as
   * a silent loss.
   */
  async publish<S extends EventSubject>(subject: S, payload: PayloadOf<S>, options: PublishOptions): Promise<PubAck> {
    const body = options.built && !this.config.VALIDATE_CONTRACTS ? payload : EventSchemas[subject].parse(payload);
    const h = natsHeaders();
    if (options.correlationId) h.set(HttpHeaders.CorrelationId, options.correlationId);
    const data = encodeJson(body);
    const natsSubject = this.ns.subject(subject);
    try {
      return await this.sameWrite.run(() => this.js.publish(natsSubject, data, { msgID: options.msgID, headers: h }));
    } catch (err) {
      const code = (err as NatsError).code;
      if (
        this.nc.isClosed() ||
        code === ErrorCode.Timeout ||
        code === ErrorCode.NoResponders ||
        code === ErrorCode.Disconnect ||
        code === ErrorCode.ConnectionClosed ||
        code === ErrorCode.ConnectionDraining
      ) {
        throw CommonException.unavailable('Event storage');
      }
      throw err;
    }
  }

  /**
   * A fire-and-forget core-NATS publish for subjects no stream captures: a
   * wake-up call to live readers, never the only copy of anything.
   */
  broadcast<S extends EventSubject>(subject: S, payload: PayloadOf<S>): void {
    if (this.nc.isClosed()) return;
    this.nc.publish(this.ns.subject(subject), encodeJson(EventSchemas[subject].parse(payload)));
  }

  /**
   * Every replica hears every event on `subject` (a plain, non-queue
   * subscription): for cache invalidation and other per-process reactions.
   * Not durable: a replica that is disconnected misses events, so whatever it
   * caches must also expire on its own.
   */
  listen<S extends EventSubject>(subject: S, handler: (payload: PayloadOf<S>) => void): Subscription {
    return this.nc.subscribe(this.ns.subject(subject), {
      callback: (err, msg) => {
        if (err) return;
        const parsed = EventSchemas[subject].safeParse(safeDecode(msg.data));
        if (parsed.success) handler(parsed.data as PayloadOf<S>);
        else this.logger.warn({ subject }, 'ignored an event that does not match the contract');
      },
    });
  }
}

function safeDecode(data: Uint8Array): unknown {
  try {
    return decodeJson(data);
  } catch {
    return undefined;
  }
}
