import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { Consumers, Streams, Subjects, type PayloadOf } from '@zapgate/contracts';
import { DeadLetterRepository, EventConsumerService, Outcome, type EventHandler, type HandleOutcome } from '@zapgate/platform';
import { UsageRecorder } from './usage-recorder.service';

/** Applies the verifiers' usage reports (uses answered from their caches), each once. */
@Injectable()
export class TokenUsageHandler implements EventHandler<typeof Subjects.TokenUsed>, OnApplicationBootstrap {
  readonly subject = Subjects.TokenUsed;

  constructor(
    private readonly consumers: EventConsumerService,
    private readonly usage: UsageRecorder,
    private readonly deadLetters: DeadLetterRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.consumers.start(this, {
      stream: Streams.Tokens,
      durable: Consumers.TokenUsage,
      concurrency: 8,
      deadLetter: (letter) => this.deadLetters.record(letter),
    });
  }

  async handle(report: PayloadOf<typeof Subjects.TokenUsed>): Promise<HandleOutcome> {
    await this.usage.applyReport(report);
    return Outcome.ack();
  }
}
