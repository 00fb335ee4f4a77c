import { Controller, Get, Inject, Query, type Type, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiTags, ApiSecurity } from '@nestjs/swagger';
import { z } from 'zod';
import { parseOrThrow } from '../errors';
import { AdminKeyGuard } from '../http/admin-key.guard';
import { dataPage, TimestampSchema, ZodApiQuery, ZodApiResponse } from '../http/zod-openapi';
import { AuditRepository, type AuditRow } from './audit.repository';

const ListQuery = z.looseObject({
  action: z.string().max(100).optional(),
  actor_id: z.string().max(100).optional(),
  target_type: z.string().max(50).optional(),
  target_id: z.string().max(100).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z
    .string()
    .regex(/^\d{1,18}$/, 'must be a cursor from next_cursor')
    .optional(),
});

const AuditEntrySchema = z
  .object({
    id: z.string(),
    at: TimestampSchema,
    action: z.string().describe('e.g. token.created, user.deactivated'),
    actor: z.object({ type: z.string(), id: z.string().nullable(), name: z.string().nullable() }),
    ip: z.string().nullable(),
    target: z.object({ type: z.string(), id: z.string().nullable() }),
    correlation_id: z.string().nullable(),
  })
  .meta({ id: 'AuditEntry' });

const view = (r: AuditRow): z.infer<typeof AuditEntrySchema> => ({
  id: String(r.id),
  at: r.at.toISOString(),
  action: r.action,
  actor: { type: r.actor_type, id: r.actor_id, name: r.actor_name },
  ip: r.ip,
  target: { type: r.target_type, id: r.target_id },
  correlation_id: r.correlation_id,
});

/** Operator routes over a service's audit log, at `/api/v1/<prefix>/audit`. */
export function auditController(prefix: string): Type {
  @ApiTags('operations')
  @ApiSecurity('adminKey')
  @Controller(`api/v1/${prefix}/audit`)
  @UseGuards(AdminKeyGuard)
  class AuditController {
    constructor(@Inject(AuditRepository) private readonly audit: AuditRepository) {}

    @Get()
    @ZodApiQuery(ListQuery)
    @ZodApiResponse(dataPage(AuditEntrySchema))
    @ApiOperation({ summary: `Lifecycle actions recorded by ${prefix}, newest first (filters: action, actor_id, target_type, target_id, from, to)` })
    async list(@Query() query: unknown) {
      const q = parseOrThrow(ListQuery, query);
      const filter = {
        action: q.action,
        actorId: q.actor_id,
        targetType: q.target_type,
        targetId: q.target_id,
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
      };
      const page = await this.audit.list(filter, q.limit, q.cursor);
      return { data: page.rows.map(view), next_cursor: page.next };
    }
  }
  return AuditController;
}
