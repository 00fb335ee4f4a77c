import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

const HOUR_MS = 3_600_000;

export interface UsageReport {
  from: string;
  to: string;
  total: number;
  buckets: { hour: string; count: number }[];
}

/** Hourly usage of one token (or one user's tokens) over [from, to), every hour present (zero when unused). */
@Injectable()
export class UsageQuery {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async report(tokenId: string, from: Date, to: Date): Promise<UsageReport> {
    return this.hourly(`SELECT hour, count FROM "token"."usage_hourly" WHERE token_id = $1 AND hour >= $2 AND hour < $3`, tokenId, from, to);
  }

  /** Every token of one user together, revoked ones included: what the user sent in each hour. */
  async reportForUser(userId: string, from: Date, to: Date): Promise<UsageReport> {
    return this.hourly(
      `SELECT u.hour, sum(u.count) AS count FROM "token"."usage_hourly" u JOIN "token"."token" t ON t.id = u.token_id
       WHERE t.user_id = $1 AND u.hour >= $2 AND u.hour < $3 GROUP BY u.hour`,
      userId,
      from,
      to,
    );
  }

  private async hourly(sql: string, id: string, from: Date, to: Date): Promise<UsageReport> {
    const start = Math.floor(from.getTime() / HOUR_MS) * HOUR_MS;
    const end = Math.ceil(to.getTime() / HOUR_MS) * HOUR_MS;
    const rows = (await this.dataSource.query(sql, [id, new Date(start), new Date(end)])) as { hour: Date; count: string }[];
    const byHour = new Map(rows.map((r) => [r.hour.getTime(), Number(r.count)]));
    const buckets: UsageReport['buckets'] = [];
    for (let h = start; h < end; h += HOUR_MS) buckets.push({ hour: new Date(h).toISOString(), count: byHour.get(h) ?? 0 });
    return {
      from: new Date(start).toISOString(),
      to: new Date(end).toISOString(),
      total: buckets.reduce((sum, b) => sum + b.count, 0),
      buckets,
    };
  }
}
