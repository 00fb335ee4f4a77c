import type { DataSource } from 'typeorm';
import type { AuditActor } from './audit-actor';

export interface AuditEntry {
  action: string;
  actor: AuditActor | undefined;
  ip: string | undefined;
  targetType: string;
  targetId: string | undefined;
  correlationId: string | undefined;
}

export interface AuditRow {
  id: string;
  at: Date;
  action: string;
  actor_type: string;
  actor_id: string | null;
  actor_name: string | null;
  ip: string | null;
  target_type: string;
  target_id: string | null;
  correlation_id: string | null;
}

export interface AuditFilter {
  action?: string;
  actorId?: string;
  targetType?: string;
  targetId?: string;
  from?: Date;
  to?: Date;
}

/** The `audit_event` table of a service's schema, made by each service's migration. */
export function auditTableSql(schema: string): string[] {
  return [
    `CREATE TABLE "${schema}"."audit_event" (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      at timestamptz NOT NULL DEFAULT now(),
      action text NOT NULL,
      actor_type text NOT NULL,
      actor_id text,
      actor_name text,
      ip text,
      target_type text NOT NULL,
      target_id text,
      correlation_id text
    )`,
    `CREATE INDEX audit_event_target_idx ON "${schema}"."audit_event" (target_type, target_id, id DESC)`,
    `CREATE INDEX audit_event_actor_idx ON "${schema}"."audit_event" (actor_id, id DESC)`,
  ];
}

/** One service's audit log: appended after each lifecycle action, read newest first by operators. */
export class AuditRepository {
  private readonly table: string;

  constructor(
    private readonly dataSource: DataSource,
    schema: string,
  ) {
    this.table = `"${schema}"."audit_event"`;
  }

  async record(entry: AuditEntry): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO ${this.table} (action, actor_type, actor_id, actor_name, ip, target_type, target_id, correlation_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        entry.action,
        entry.actor?.type ?? 'anonymous',
        entry.actor?.id ?? null,
        entry.actor?.name ?? null,
        entry.ip ?? null,
        entry.targetType,
        entry.targetId ?? null,
        entry.correlationId ?? null,
      ],
    );
  }

  /** Newest first; the cursor is the id of the last row seen. */
  async list(filter: AuditFilter, limit: number, before?: string): Promise<{ rows: AuditRow[]; next: string | null }> {
    const rows = (await this.dataSource.query(
      `SELECT * FROM ${this.table}
       WHERE ($1::text IS NULL OR action = $1) AND ($2::text IS NULL OR actor_id = $2) AND ($3::text IS NULL OR target_type = $3)
         AND ($4::text IS NULL OR target_id = $4) AND ($5::timestamptz IS NULL OR at >= $5) AND ($6::timestamptz IS NULL OR at < $6)
         AND ($7::bigint IS NULL OR id < $7)
       ORDER BY id DESC LIMIT $8`,
      [
        filter.action ?? null,
        filter.actorId ?? null,
        filter.targetType ?? null,
        filter.targetId ?? null,
        filter.from ?? null,
        filter.to ?? null,
        before ?? null,
        limit + 1,
      ],
    )) as AuditRow[];
    const page = rows.slice(0, limit);
    return { rows: page, next: rows.length > limit ? String(page[page.length - 1].id) : null };
  }
}
