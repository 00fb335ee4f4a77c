import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { UserErasedV1 } from '@zapgate/contracts';
import type { UserEraser } from '@zapgate/platform';
import { DataSource } from 'typeorm';

/** A user's part of the event log: their events with outcomes and the senders' delivery ids that point at them. */
@Injectable()
export class EventLogEraser implements UserEraser {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async erase(event: UserErasedV1): Promise<Record<string, number>> {
    const [row] = (await this.dataSource.query(
      `WITH gone AS (DELETE FROM "ingest"."webhook_event" WHERE user_id = $1 RETURNING event_id),
       outcomes AS (DELETE FROM "ingest"."event_outcome" o USING gone WHERE o.event_id = gone.event_id RETURNING 1),
       keys AS (DELETE FROM "ingest"."dedup_key" k USING gone WHERE k.event_id = gone.event_id RETURNING 1)
       SELECT (SELECT count(*) FROM gone)::int AS events, (SELECT count(*) FROM outcomes)::int AS outcomes, (SELECT count(*) FROM keys)::int AS dedup_keys`,
      [event.userId],
    )) as { events: number; outcomes: number; dedup_keys: number }[];
    return row;
  }
}
