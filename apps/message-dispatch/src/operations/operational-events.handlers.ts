import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { Consumers, Streams, Subjects, type OperationalEventData, type OperationalEventType, type PayloadOf } from '@zapgate/contracts';
import { DeadLetterRepository, EventConsumerService, Outcome, type EventHandler, type HandleOutcome, type StreamDefinition } from '@zapgate/platform';
import { OperationsFeed } from '../channels/operations-feed';
import { DeliveryWorker } from '../outbound/delivery-worker.service';

type Forwarded = typeof Subjects.TokenRevoked | typeof Subjects.UserDeactivated | typeof Subjects.OAuthConnectionFailed;

interface Forwarding<S extends Forwarded, T extends OperationalEventType> {
  subject: S;
  stream: StreamDefinition;
  durable: string;
  type: T;
  /** The operational event, and the key that makes a redelivered source event one message. */
  map(payload: PayloadOf<S>): { data: OperationalEventData<T>; key: string };
}

/** Another service's event, forwarded to the operators' endpoints as an operational event. (Decorated so its subclasses inherit its constructor's injections.) */
@Injectable()
abstract class ForwardingHandler<S extends Forwarded, T extends OperationalEventType> implements EventHandler<S>, OnApplicationBootstrap {
  abstract readonly forwarding: Forwarding<S, T>;

  constructor(
    private readonly consumers: EventConsumerService,
    private readonly operations: OperationsFeed,
    private readonly deliveries: DeliveryWorker,
    private readonly deadLetters: DeadLetterRepository,
  ) {}

  get subject(): S {
    return this.forwarding.subject;
  }

  async onApplicationBootstrap(): Promise<void> {
    const f = this.forwarding;
    await this.consumers.start(this, { stream: f.stream, durable: f.durable, concurrency: 4, deadLetter: (letter) => this.deadLetters.record(letter) });
  }

  async handle(payload: PayloadOf<S>): Promise<HandleOutcome> {
    const { data, key } = this.forwarding.map(payload);
    if (await this.operations.emit(this.forwarding.type, data, key)) this.deliveries.kick();
    return Outcome.ack();
  }
}

@Injectable()
export class TokenRevokedForwarder extends ForwardingHandler<typeof Subjects.TokenRevoked, 'token.revoked'> {
  readonly forwarding: Forwarding<typeof Subjects.TokenRevoked, 'token.revoked'> = {
    subject: Subjects.TokenRevoked,
    stream: Streams.Tokens,
    durable: Consumers.DispatchOpsTokenRevoked,
    type: 'token.revoked',
    map: (e) => ({ data: { token_id: e.tokenId, user_id: e.userId, reason: e.reason, revoked_at: e.revokedAt }, key: `token.revoked:${e.tokenId}` }),
  };
}

@Injectable()
export class UserDeactivatedForwarder extends ForwardingHandler<typeof Subjects.UserDeactivated, 'user.deactivated'> {
  readonly forwarding: Forwarding<typeof Subjects.UserDeactivated, 'user.deactivated'> = {
    subject: Subjects.UserDeactivated,
    stream: Streams.Tokens,
    durable: Consumers.DispatchOpsUserDeactivated,
    type: 'user.deactivated',
    map: (e) => ({ data: { user_id: e.userId, deactivated_at: e.deactivatedAt }, key: `user.deactivated:${e.userId}:${e.deactivatedAt}` }),
  };
}

@Injectable()
export class ConnectionFailedForwarder extends ForwardingHandler<typeof Subjects.OAuthConnectionFailed, 'connection.reauth_required'> {
  readonly forwarding: Forwarding<typeof Subjects.OAuthConnectionFailed, 'connection.reauth_required'> = {
    subject: Subjects.OAuthConnectionFailed,
    stream: Streams.OAuth,
    durable: Consumers.DispatchOpsConnectionFailed,
    type: 'connection.reauth_required',
    map: (e) => ({
      data: { connection_id: e.connectionId, connector_id: e.connectorId, user: e.userRef, status: e.status, error: e.error, failed_at: e.failedAt },
      key: `connection.failed:${e.connectionId}:${e.failedAt}`,
    }),
  };
}
