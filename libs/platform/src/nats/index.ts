export * from './nats.tokens';
export * from './nats-namespace';
export * from './json-codec';
export * from './rpc.service';
export * from './jetstream.service';
export * from './event-consumer.service';
export * from './nats.module';
export * from './consumer-progress';
