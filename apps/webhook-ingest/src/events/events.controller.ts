import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiTags, ApiSecurity } from '@nestjs/swagger';
import { CapturedRequestSchema, MessageTargetSchema, WebhookSources } from '@zapgate/contracts';
import {
  Audited,
  CorrelationId,
  dataPage,
  encodeCursor,
  KeysetCursorSchema,
  parseOrThrow,
  TimestampSchema,
  ZodApiBody,
  ZodApiQuery,
  ZodApiResponse,
} from '@zapgate/platform';
import { z } from 'zod';
import { Access, OwnerAccessGuard, type OwnerAccess } from '@zapgate/token-client';
import { jsonBody } from '../http/body-reader';
import { EventsService, type EventRow } from './events.service';

const ListQuery = z.looseObject({
  app_id: z.uuid().optional(),
  status: z.string().max(32).optional(),
  source: z.string().max(32).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: KeysetCursorSchema.optional(),
});

const ReplayBody = z.strictObject({
  since: z.iso.datetime({ offset: true }),
  until: z.iso.datetime({ offset: true }).optional(),
  app_id: z.uuid().optional(),
  status: z.string().max(32).optional(),
});

const EventSummarySchema = z
  .object({
    event_id: z.uuid(),
    app_id: z.uuid().nullable(),
    user_id: z.uuid(),
    source: z.enum(WebhookSources),
    target: MessageTargetSchema,
    sender: z.object({ scheme: z.string(), event: z.string().optional() }).nullable().describe("whose signature was checked, and the sender's event name"),
    status: z.string().describe('received, delivered, handled, failed, dead…: what dispatch reported'),
    dispatch_attempts: z.number().int(),
    message_ids: z.array(z.string()),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    handler: z.object({ status: z.number().int().optional(), durationMs: z.number() }).nullable(),
    processed_at: TimestampSchema.nullable(),
    replay_of: z.uuid().nullable(),
    received_at: TimestampSchema,
  })
  .meta({ id: 'EventSummary' });
const EventDetailSchema = EventSummarySchema.extend({
  token_id: z.uuid(),
  dedup_key: z.string().nullable(),
  stream_seq: z.number().int(),
  message: z.looseObject({}).nullable().describe('the Cliq message posted (message endpoints)'),
  request: CapturedRequestSchema.partial({ body: true })
    .nullable()
    .describe('the request as received (incoming webhooks); its body is gone once body_purged_at is set'),
  body_purged_at: TimestampSchema.nullable(),
});
const ReplayedSchema = z.object({ event_id: z.uuid(), replay_of: z.uuid() });
const ReplayedManySchema = z.object({
  replayed: z.number().int(),
  truncated: z.boolean().describe('more matched than one call replays: call again from the last one'),
  body_purged: z.number().int().describe('events skipped because their body is past retention'),
});

const summary = (r: EventRow): z.infer<typeof EventSummarySchema> => ({
  event_id: r.event_id,
  app_id: r.app_id,
  user_id: r.user_id,
  source: r.source,
  target: r.target,
  sender: r.sender ?? null,
  status: r.status,
  dispatch_attempts: r.dispatch_attempts,
  message_ids: r.message_ids,
  error: r.error,
  handler: r.handler,
  processed_at: r.processed_at?.toISOString() ?? null,
  replay_of: r.replay_of,
  received_at: r.received_at.toISOString(),
});

@ApiTags('events')
@ApiSecurity('adminKey')
@ApiSecurity('ownerKey')
@UseGuards(OwnerAccessGuard)
@Controller('api/v1/events')
export class EventsController {
  constructor(private readonly events: EventsService) {}

  @Get()
  @ApiOperation({ summary: 'List received events, newest first (filters: app_id, status, source, from, to; cursor pagination)' })
  @ZodApiQuery(ListQuery)
  @ZodApiResponse(dataPage(EventSummarySchema))
  async list(@Access() access: OwnerAccess, @Query() query: unknown) {
    const q = parseOrThrow(ListQuery, query);
    const { rows, next } = await this.events.list(
      access,
      { appId: q.app_id, status: q.status, source: q.source, from: q.from ? new Date(q.from) : undefined, to: q.to ? new Date(q.to) : undefined },
      q.limit,
      q.cursor,
    );
    return { data: rows.map(summary), next_cursor: encodeCursor(next ?? undefined) };
  }

  @Get(':eventId')
  @ApiOperation({ summary: 'One event: payload, headers, status, attempts' })
  @ZodApiResponse(EventDetailSchema)
  async get(@Access() access: OwnerAccess, @Param('eventId') eventId: string) {
    const row = await this.events.get(access, parseOrThrow(z.uuid(), eventId, 'eventId'));
    return {
      ...summary(row),
      token_id: row.token_id,
      dedup_key: row.dedup_key,
      stream_seq: Number(row.stream_seq),
      message: row.message,
      request: row.request,
      body_purged_at: row.body_purged_at,
    };
  }

  @Post(':eventId/replay')
  @HttpCode(202)
  @ApiOperation({ summary: 'Dispatch an event again (as a new event pointing at the original)' })
  @ZodApiResponse(ReplayedSchema, { status: 202 })
  @Audited('event.replayed', { target: 'event', id: 'eventId' })
  async replay(@Access() access: OwnerAccess, @Param('eventId') eventId: string, @CorrelationId() correlationId: string) {
    const row = await this.events.get(access, parseOrThrow(z.uuid(), eventId, 'eventId'));
    return { event_id: await this.events.replay(row, correlationId), replay_of: row.replay_of ?? row.event_id };
  }

  @Post('replay')
  @HttpCode(202)
  @ApiOperation({ summary: 'Replay every event received since a time (at most 10,000 per call)' })
  @ZodApiBody(ReplayBody)
  @ZodApiResponse(ReplayedManySchema, { status: 202 })
  @Audited('events.replayed', { target: 'event' })
  async replaySince(@Access() access: OwnerAccess, @Body() body: unknown, @CorrelationId() correlationId: string) {
    const b = parseOrThrow(ReplayBody, jsonBody(body));
    return this.events.replaySince(
      access,
      { appId: b.app_id, status: b.status, from: new Date(b.since), to: b.until ? new Date(b.until) : undefined },
      correlationId,
    );
  }
}
