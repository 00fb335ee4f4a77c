import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DispatchErrorCodes, DispatchException } from '../dispatch.exception';

/** A delivery sent again (an explicit redelivery): due now, or, for a strict subscription, in its turn by store order. */
const DUE_AGAIN = `(SELECT CASE WHEN s.ordering = 'strict' THEN 'infinity'::timestamptz ELSE now() END FROM "dispatch"."subscription" s WHERE s.id = d.subscription_id)`;

export interface DeliveryRow {
  id: string;
  subscription_id: string;
  message_id: string;
  status: 'pending' | 'succeeded' | 'dead';
  attempts: number;
  parts_sent: number;
  next_attempt_at: Date;
  last_status_code: number | null;
  last_error: string | null;
  created_at: Date;
  updated_at: Date;
  completed_at: Date | null;
}

/** Reading deliveries and sending failed ones again. */
@Injectable()
export class DeliveriesService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Newest first; the cursor is the created_at and id of the last row seen. */
  async list(subscriptionId: string, status: string | undefined, limit: number, cursor?: { at: string; id: string }) {
    const rows = (await this.dataSource.query(
      `SELECT * FROM "dispatch"."delivery" WHERE subscription_id = $1 AND ($2::text IS NULL OR status = $2)
         AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::uuid))
       ORDER BY created_at DESC, id DESC LIMIT $5`,
      [subscriptionId, status ?? null, cursor?.at ?? null, cursor?.id ?? null, limit + 1],
    )) as DeliveryRow[];
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { rows: page, next: rows.length > limit && last ? `${last.created_at.toISOString()}_${last.id}` : null };
  }

  async get(id: string): Promise<DeliveryRow> {
    const [row] = /^[0-9a-f-]{36}$/i.test(id)
      ? ((await this.dataSource.query(`SELECT * FROM "dispatch"."delivery" WHERE id = $1`, [id])) as DeliveryRow[])
      : [];
    if (!row) throw new DispatchException(DispatchErrorCodes.DeliveryNotFound, 'No such delivery.');
    return row;
  }

  attempts(id: string) {
    return this.dataSource.query(
      `SELECT attempt, started_at, duration_ms, status_code, error, response_body FROM "dispatch"."delivery_attempt" WHERE delivery_id = $1 ORDER BY id`,
      [id],
    ) as Promise<unknown[]>;
  }

  /** Sends a finished delivery again from the first attempt of the schedule. */
  async retry(id: string): Promise<DeliveryRow> {
    await this.dataSource.query(
      `UPDATE "dispatch"."delivery" d SET status = 'pending', attempts = 0, next_attempt_at = ${DUE_AGAIN}, completed_at = NULL, updated_at = now()
       WHERE d.id = $1 AND d.status <> 'pending'`,
      [id],
    );
    return this.get(id);
  }

  /** Every dead-lettered delivery of a subscription since a time goes back in the queue; returns how many. */
  async retryFailedSince(subscriptionId: string, since: Date): Promise<number> {
    const [, count] = (await this.dataSource.query(
      `UPDATE "dispatch"."delivery" d SET status = 'pending', attempts = 0, next_attempt_at = ${DUE_AGAIN}, completed_at = NULL, updated_at = now()
       WHERE d.subscription_id = $1 AND d.status = 'dead' AND d.updated_at >= $2`,
      [subscriptionId, since],
    )) as [unknown, number];
    return count;
  }
}
