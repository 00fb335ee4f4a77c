import { Controller, Get, Param, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { parseOrThrow, ZodApiQuery, ZodApiResponse } from '@zapgate/platform';
import { Scopes } from '@zapgate/contracts';
import { ApiTokenAuth, Principal, RequireScope, TokenAuthGuard, type VerifiedToken } from '@zapgate/token-client';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import { ChannelStore } from './channel-store.service';
import { LiveFeed } from './live-feed.service';
import { MessagePageSchema, messageView } from './message.view';
import { collectionKind, COLLECTIONS } from './target';
import { TargetAccess } from './target-access.service';

const ListQuerySchema = z.looseObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  before: z
    .string()
    .regex(/^\d{1,19}$/, 'must be a cursor from next_cursor')
    .optional(),
});
const StreamQuerySchema = z.looseObject({
  after: z
    .string()
    .regex(/^\d{1,19}$/, 'must be an id from an earlier event')
    .optional(),
});
const HEARTBEAT_MS = 15_000;
/** Re-read even without a wake-up, in case a broadcast was missed. */
const REREAD_MS = 5_000;
/** How long a stream may stay unable to take more before it is closed (the reader resumes from its Last-Event-ID). */
const SSE_DRAIN_TIMEOUT_MS = 30_000;

/** Resolves true once the socket can take more, false if it closed or did not drain in time. */
function drained(res: ServerResponse, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(ok);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    const timer = setTimeout(() => done(false), timeoutMs);
    res.on('drain', onDrain);
    res.on('close', onClose);
  });
}

/** Reading a channel's, chat's or bot's messages: a page at a time, or live as Server-Sent Events. */
@ApiTags('messages')
@Controller('api/v2')
@ApiTokenAuth()
@UseGuards(TokenAuthGuard)
@RequireScope(Scopes.MessagesRead)
export class MessagesController {
  constructor(
    private readonly store: ChannelStore,
    private readonly access: TargetAccess,
    private readonly live: LiveFeed,
  ) {}

  @Get(':collection/:name/messages')
  @ApiOperation({ summary: 'Messages of a channel, chat or bot you are a member of, newest first, with cursor pagination' })
  @ApiParam({ name: 'collection', enum: Object.keys(COLLECTIONS) })
  @ZodApiQuery(ListQuerySchema)
  @ZodApiResponse(MessagePageSchema)
  async list(@Param('collection') collection: string, @Param('name') name: string, @Query() query: unknown, @Principal() p: VerifiedToken) {
    const kind = collectionKind(collection);
    const { limit, before } = parseOrThrow(ListQuerySchema, query);
    const target = await this.access.memberTarget(kind, name, p.userId);
    const page = await this.store.page(target.id, limit, before);
    return { target: { kind, id: target.id, unique_name: target.uniqueName }, data: page.messages.map(messageView), next_cursor: page.nextCursor };
  }

  @Get(':collection/:name/messages/stream')
  @ApiOperation({
    summary: 'New messages as Server-Sent Events (event: message, id: resume position). Resume with Last-Event-ID or ?after=.',
  })
  @ApiParam({ name: 'collection', enum: Object.keys(COLLECTIONS) })
  @ZodApiQuery(StreamQuerySchema)
  @ApiProduces('text/event-stream')
  @ApiResponse({
    status: 200,
    description: 'An event stream: `event: message`, `id:` the resume position, `data:` one message as in the list',
    content: { 'text/event-stream': { schema: { type: 'string' } } },
  })
  async stream(
    @Param('collection') collection: string,
    @Param('name') name: string,
    @Query() query: unknown,
    @Principal() p: VerifiedToken,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const kind = collectionKind(collection);
    const { after } = parseOrThrow(StreamQuerySchema, query);
    const target = await this.access.memberTarget(kind, name, p.userId);
    const lastEventId = req.headers['last-event-id'];
    let position = typeof lastEventId === 'string' && /^\d{1,19}$/.test(lastEventId) ? lastEventId : (after ?? (await this.store.lastStoreSeq(target.id)));

    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write(`retry: 2000\n: streaming ${kind} ${target.uniqueName}\n\n`);

    let reading = false;
    let again = false;
    let closed = false;
    const drain = async () => {
      if (reading) return void (again = true);
      reading = true;
      try {
        do {
          again = false;
          for (;;) {
            const batch = await this.store.after(target.id, position, 100);
            for (const m of batch) {
              if (closed) return;
              const flowing = res.write(`id: ${m.storeSeq}\nevent: message\ndata: ${JSON.stringify(messageView(m))}\n\n`);
              position = m.storeSeq;
              // Back-pressure: a reader slower than the store is not buffered for. Reading pauses until
              // the socket drains; one that does not drain in time is closed, and resumes with Last-Event-ID.
              if (!flowing && !(await drained(res, SSE_DRAIN_TIMEOUT_MS))) return close();
            }
            if (batch.length < 100) break;
          }
        } while (again && !closed);
      } catch {
        // The next wake-up or re-read tries again; the reader's position is unchanged.
      } finally {
        reading = false;
      }
    };
    const close = () => {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      stop();
      this.live.streams.delete(res);
      // A reader that stopped reading would hold its buffer until the socket times out: cut it.
      if (res.writableLength > 0) res.destroy();
      else res.end();
    };
    this.live.streams.add(res);
    const stop = this.live.listen(target.id, () => void drain(), close);
    let beats = 0;
    const timer = setInterval(() => {
      beats += 1;
      // Only to a reader that keeps up: pings must not pile up in a stalled socket's buffer either.
      if ((beats * REREAD_MS) % HEARTBEAT_MS < REREAD_MS && !res.writableNeedDrain) res.write(': ping\n\n');
      if (!res.writableNeedDrain) void drain();
    }, REREAD_MS);
    req.raw.on('close', close);
    await drain();
  }
}
