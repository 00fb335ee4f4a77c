import { Controller, Get, Inject, Param, Query, type Type, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { isUtf8 } from 'node:buffer';
import { z } from 'zod';
import { CommonCodes, CommonException, parseOrThrow } from '../errors';
import { AdminKeyGuard } from '../http/admin-key.guard';
import type { DeadLetterKind } from '../nats/event-consumer.service';
import { DeadLetterRepository, type DeadLetterRow } from './dead-letter.repository';

const KINDS = ['contract', 'rejected_value', 'exhausted', 'poison'] as const satisfies readonly DeadLetterKind[];

const ListQuery = z.object({
  consumer: z.string().max(200).optional(),
  kind: z.enum(KINDS).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().regex(/^\d{1,18}$/, 'must be a cursor from next_cursor').optional(),
});

const view = (row: DeadLetterRow) => ({
  id: String(row.id),
  consumer: row.consumer,
  subject: row.subject,
  stream_seq: Number(row.stream_seq),
  delivery_count: row.delivery_count,
  kind: row.kind,
  reason: row.reason,
  created_at: row.created_at,
  payload_bytes: row.payload.length,
});

/**
 * Operator routes over a service's dead letters, mounted at
 * `/api/v1/<prefix>/dead-letters` so that each service's stay distinct
 * behind one origin.
 */
export function deadLettersController(prefix: string): Type {
  @ApiTags('operations')
  @Controller(`api/v1/${prefix}/dead-letters`)
  @UseGuards(AdminKeyGuard)
  class DeadLettersController {
    constructor(@Inject(DeadLetterRepository) private readonly letters: DeadLetterRepository) {}

    @Get()
    @ApiOperation({ summary: `Events ${prefix}'s consumers gave up on, newest first (filters: consumer, kind; X-Admin-Key)` })
    async list(@Query() query: unknown) {
      const q = parseOrThrow(ListQuery, query);
      const page = await this.letters.list({ consumer: q.consumer, kind: q.kind }, q.limit, q.cursor);
      return { data: page.rows.map(view), next_cursor: page.next };
    }

    @Get(':id')
    @ApiOperation({ summary: 'One dead letter with its payload as it sat in the stream (text, or base64 when it is not UTF-8)' })
    async get(@Param('id') id: string) {
      const row = /^\d{1,18}$/.test(id) ? await this.letters.get(id) : undefined;
      if (!row) throw new CommonException(CommonCodes.NotFound, 'No such dead letter.');
      const text = isUtf8(row.payload);
      return { ...view(row), payload: row.payload.toString(text ? 'utf8' : 'base64'), ...(text ? {} : { payload_encoding: 'base64' }) };
    }
  }
  return DeadLettersController;
}
