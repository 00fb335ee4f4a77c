import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, type Type, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { isUtf8 } from 'node:buffer';
import { z } from 'zod';
import { CommonCodes, CommonException, parseOrThrow } from '../errors';
import { requestJson } from '../json/json-body';
import { Audited } from '../audit/audited.interceptor';
import { AdminKeyGuard } from '../http/admin-key.guard';
import { dataPage, TimestampSchema, ZodApiBody, ZodApiQuery, ZodApiResponse } from '../http/zod-openapi';
import type { DeadLetterKind } from '../nats/event-consumer.service';
import { DeadLetterRetrier, MAX_BULK_RETRY } from './dead-letter-retrier.service';
import { DeadLetterRepository, type DeadLetterRow } from './dead-letter.repository';

const KINDS = ['contract', 'rejected_value', 'exhausted', 'poison'] as const satisfies readonly DeadLetterKind[];

const ListQuery = z.object({
  consumer: z.string().max(200).optional(),
  kind: z.enum(KINDS).optional(),
  status: z.enum(['dead', 'retried']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z
    .string()
    .regex(/^\d{1,18}$/, 'must be a cursor from next_cursor')
    .optional(),
});

const RetryManySchema = z.strictObject({
  consumer: z.string().max(200).optional(),
  kind: z.enum(KINDS).optional(),
  since: z.iso.datetime({ offset: true }).optional().describe('only letters recorded at or after this time'),
  limit: z.number().int().min(1).max(MAX_BULK_RETRY).default(100),
});

const LETTER_ID = /^\d{1,18}$/;

const DeadLetterSchema = z
  .object({
    id: z.string(),
    consumer: z.string(),
    subject: z.string(),
    stream_seq: z.number().int(),
    delivery_count: z.number().int(),
    kind: z.enum(KINDS),
    reason: z.string(),
    created_at: TimestampSchema,
    payload_bytes: z.number().int(),
    status: z.enum(['dead', 'retried']),
    retry_count: z.number().int(),
    retried_at: TimestampSchema.nullable(),
    last_error: z.string().nullable(),
  })
  .meta({ id: 'DeadLetter' });
const DeadLetterDetailSchema = DeadLetterSchema.extend({
  payload: z.string().describe('the event as it sat in the stream'),
  payload_encoding: z.literal('base64').optional().describe('present when the payload is not UTF-8'),
});
const RetryManyResultSchema = z.object({
  retried: z.number().int(),
  still_dead: z.number().int(),
  skipped: z.number().int().describe('taken by another retry meanwhile, or from a consumer this service no longer runs'),
  more: z.boolean().describe('more open letters match: call again'),
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
  status: row.status,
  retry_count: row.retry_count,
  retried_at: row.retried_at,
  last_error: row.last_error,
});

/**
 * Operator routes over a service's dead letters, mounted at
 * `/api/v1/<prefix>/dead-letters` so that each service's stay distinct
 * behind one origin.
 */
export function deadLettersController(prefix: string): Type {
  @ApiTags('operations')
  @ApiSecurity('adminKey')
  @Controller(`api/v1/${prefix}/dead-letters`)
  @UseGuards(AdminKeyGuard)
  class DeadLettersController {
    constructor(
      @Inject(DeadLetterRepository) private readonly letters: DeadLetterRepository,
      @Inject(DeadLetterRetrier) private readonly retrier: DeadLetterRetrier,
    ) {}

    @Get()
    @ZodApiQuery(ListQuery)
    @ZodApiResponse(dataPage(DeadLetterSchema))
    @ApiOperation({ summary: `Events ${prefix}'s consumers gave up on, newest first (filters: consumer, kind, status; X-Admin-Key)` })
    async list(@Query() query: unknown) {
      const q = parseOrThrow(ListQuery, query);
      const page = await this.letters.list({ consumer: q.consumer, kind: q.kind, status: q.status }, q.limit, q.cursor);
      return { data: page.rows.map(view), next_cursor: page.next };
    }

    @Get(':id')
    @ZodApiResponse(DeadLetterDetailSchema)
    @ApiOperation({ summary: 'One dead letter with its payload as it sat in the stream (text, or base64 when it is not UTF-8)' })
    async get(@Param('id') id: string) {
      const row = LETTER_ID.test(id) ? await this.letters.get(id) : undefined;
      if (!row) throw new CommonException(CommonCodes.NotFound, 'No such dead letter.');
      const text = isUtf8(row.payload);
      return { ...view(row), payload: row.payload.toString(text ? 'utf8' : 'base64'), ...(text ? {} : { payload_encoding: 'base64' }) };
    }

    @Post('retry')
    @HttpCode(200)
    @ZodApiBody(RetryManySchema)
    @ZodApiResponse(RetryManyResultSchema)
    @ApiOperation({ summary: 'Hand open dead letters, oldest first, once more to the consumer that gave up on them (at most 500 per call)' })
    @Audited('dead_letters.retried', { target: 'dead_letter' })
    async retryMany(@Body() body: unknown) {
      const q = parseOrThrow(RetryManySchema, requestJson(body));
      return this.retrier.retryMany({ consumer: q.consumer, kind: q.kind, since: q.since ? new Date(q.since) : undefined }, q.limit);
    }

    @Post(':id/retry')
    @HttpCode(200)
    @ZodApiResponse(DeadLetterSchema)
    @ApiOperation({ summary: 'Hand one dead letter once more to the consumer that gave up on it; answers the letter, retried or still dead with the reason' })
    @Audited('dead_letter.retried', { target: 'dead_letter', id: 'id' })
    async retryOne(@Param('id') id: string) {
      if (!LETTER_ID.test(id)) throw new CommonException(CommonCodes.NotFound, 'No such dead letter.');
      return view(await this.retrier.retryOne(id));
    }
  }
  return DeadLettersController;
}
