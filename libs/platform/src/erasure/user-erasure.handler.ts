import { Inject, Injectable, Logger, type OnApplicationBootstrap, type Provider, type Type } from '@nestjs/common';
import { Streams, Subjects, type UserErasedV1 } from '@zapgate/contracts';
import { AuditRepository } from '../audit/audit.repository';
import { DeadLetterRepository } from '../dead-letters/dead-letter.repository';
import { EventConsumerService, Outcome, type EventHandler, type HandleOutcome } from '../nats/event-consumer.service';

/** Deletes what one service holds of a user; answers how many rows of each kind went. Must be idempotent. */
export interface UserEraser {
  erase(event: UserErasedV1): Promise<Record<string, number>>;
}

const USER_ERASER = Symbol('USER_ERASER');
const ERASURE_CONSUMER = Symbol('ERASURE_CONSUMER');

/**
 * A service's part of a user's erasure: its durable consumer of
 * `user.erased` hands each event to the service's eraser, then records the
 * erasure in the service's audit log. A redelivered event erases nothing
 * more and is recorded again, which is harmless.
 */
@Injectable()
export class UserErasureHandler implements EventHandler<typeof Subjects.UserErased>, OnApplicationBootstrap {
  readonly subject = Subjects.UserErased;
  private readonly logger = new Logger(UserErasureHandler.name);

  constructor(
    private readonly consumers: EventConsumerService,
    private readonly deadLetters: DeadLetterRepository,
    private readonly audit: AuditRepository,
    @Inject(USER_ERASER) private readonly eraser: UserEraser,
    @Inject(ERASURE_CONSUMER) private readonly consumer: string,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.consumers.start(this, {
      stream: Streams.Tokens,
      durable: this.consumer,
      concurrency: 1,
      deadLetter: (letter) => this.deadLetters.record(letter),
    });
  }

  async handle(event: UserErasedV1): Promise<HandleOutcome> {
    const erased = await this.eraser.erase(event);
    this.logger.log({ userId: event.userId, erased }, 'user erased');
    await this.audit.record({
      action: 'user.erased',
      actor: { type: 'service', id: 'token-service' },
      ip: undefined,
      targetType: 'user',
      targetId: event.userId,
      correlationId: undefined,
    });
    return Outcome.ack();
  }
}

/** The providers of a service's erasure consumer (the app's module also imports DeadLetterModule and AuditModule). */
export function userErasureProviders(consumer: string, eraser: Type<UserEraser>): Provider[] {
  return [UserErasureHandler, { provide: USER_ERASER, useClass: eraser }, { provide: ERASURE_CONSUMER, useValue: consumer }];
}
