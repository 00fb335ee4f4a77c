import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DeadLetter } from '@zapgate/platform';
import { DataSource } from 'typeorm';

/** Poison events: kept with their raw payload before JetStream is told to stop redelivering them. */
@Injectable()
export class DeadLetterStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  readonly record = async (letter: DeadLetter): Promise<void> => {
    await this.dataSource.query(
      `INSERT INTO "dispatch"."dead_letter" (subject, stream_seq, delivery_count, reason, payload) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (subject, stream_seq) DO NOTHING`,
      [letter.subject, letter.streamSequence, letter.deliveryCount, letter.reason, Buffer.from(letter.data).toString('utf8')],
    );
  };

  async count(): Promise<number> {
    const [row] = (await this.dataSource.query(`SELECT count(*)::int AS n FROM "dispatch"."dead_letter"`)) as { n: number }[];
    return row.n;
  }
}
