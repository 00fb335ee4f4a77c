import { type BeforeApplicationShutdown, type DynamicModule, Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { connect, type NatsConnection } from 'nats';
import { APP_CONFIG, type BaseConfig } from '../config';
import { EventConsumerService } from './event-consumer.service';
import { JetStreamService } from './jetstream.service';
import { NatsNamespace } from './nats-namespace';
import { NATS_CONNECTION } from './nats.tokens';
import { RpcService } from './rpc.service';

/** One NATS connection per process, shared by request/reply and JetStream. */
@Global()
@Module({})
export class NatsModule implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(NatsModule.name);

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly rpc: RpcService,
    private readonly consumers: EventConsumerService,
  ) {}

  static forRoot(service: string): DynamicModule {
    return {
      module: NatsModule,
      providers: [
        {
          provide: NATS_CONNECTION,
          inject: [APP_CONFIG],
          useFactory: (config: BaseConfig) =>
            connect({
              servers: config.NATS_URL.split(','),
              name: service,
              // nats.js builds an Error per request for async stack traces; that caps publish throughput (perf-limits.md).
              noAsyncTraces: true,
              waitOnFirstConnect: true,
              maxReconnectAttempts: -1,
              reconnectTimeWait: 500,
            }),
        },
        { provide: NatsNamespace, inject: [APP_CONFIG], useFactory: (config: BaseConfig) => new NatsNamespace(config.NATS_NAMESPACE) },
        RpcService,
        JetStreamService,
        EventConsumerService,
      ],
      exports: [NATS_CONNECTION, NatsNamespace, RpcService, JetStreamService, EventConsumerService],
    };
  }

  /**
   * Every module's beforeApplicationShutdown runs before any onApplicationShutdown:
   * stop taking requests and events here, so services can flush their last
   * state in onApplicationShutdown knowing nothing new arrives.
   */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.nc.isClosed()) return;
    this.rpc.stopServing();
    await this.consumers.stopAll();
    this.logger.debug('consumers stopped');
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.nc.isClosed()) return;
    try {
      await this.nc.drain();
      this.logger.debug('NATS drained');
    } catch (err) {
      this.logger.warn({ err }, 'NATS drain failed');
    }
  }
}
