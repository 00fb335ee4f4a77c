import { Injectable } from '@nestjs/common';
import { CommonCodes, CommonException } from '../errors';
import { EventConsumerService } from '../nats/event-consumer.service';
import { DeadLetterRepository, type DeadLetterFilter, type DeadLetterRow } from './dead-letter.repository';

/** Most letters one bulk call retries; the answer says whether more are open. */
export const MAX_BULK_RETRY = 500;

/**
 * An operator's retry of dead letters: each one handed once more to the
 * handler of the consumer that gave up on it, in this process, while a lease
 * keeps every other retry off it. A letter that is handled becomes
 * `retried`; one that fails again stays `dead` with the new reason.
 */
@Injectable()
export class DeadLetterRetrier {
  constructor(
    private readonly letters: DeadLetterRepository,
    private readonly consumers: EventConsumerService,
  ) {}

  async retryOne(id: string): Promise<DeadLetterRow> {
    const row = await this.letters.claim(id);
    if (!row) throw await this.whyNot(id);
    return this.run(row);
  }

  /** Open letters oldest first, one after the other so that one target's events keep their order. */
  async retryMany(
    filter: Omit<DeadLetterFilter, 'status'> & { since?: Date },
    limit: number,
  ): Promise<{ retried: number; still_dead: number; skipped: number; more: boolean }> {
    const ids = await this.letters.openIds(filter, limit + 1);
    const result = { retried: 0, still_dead: 0, skipped: 0, more: ids.length > limit };
    for (const id of ids.slice(0, limit)) {
      const row = await this.letters.claim(id);
      // Taken by another retry meanwhile, or from a consumer this service no longer runs.
      if (!row || !this.consumers.handles(row.consumer)) {
        if (row) await this.letters.release(id);
        result.skipped++;
        continue;
      }
      const settled = await this.run(row);
      if (settled.status === 'retried') result.retried++;
      else result.still_dead++;
    }
    return result;
  }

  private async run(row: DeadLetterRow): Promise<DeadLetterRow> {
    if (!this.consumers.handles(row.consumer)) {
      await this.letters.release(row.id);
      throw new CommonException(CommonCodes.Conflict, `No consumer ${row.consumer} runs in this service any more; the letter cannot be retried here.`);
    }
    try {
      const result = await this.consumers.redrive({
        consumer: row.consumer,
        payload: row.payload,
        streamSequence: Number(row.stream_seq),
        deliveryCount: row.delivery_count + row.retry_count,
      });
      return await this.letters.settleRetry(row.id, result);
    } catch (err) {
      await this.letters.release(row.id);
      throw err;
    }
  }

  private async whyNot(id: string): Promise<CommonException> {
    const row = await this.letters.get(id);
    if (!row) return new CommonException(CommonCodes.NotFound, 'No such dead letter.');
    if (row.status === 'retried')
      return new CommonException(CommonCodes.Conflict, `This dead letter was already retried with success at ${row.retried_at?.toISOString()}.`);
    return new CommonException(CommonCodes.Conflict, 'Another retry of this dead letter is running.');
  }
}
