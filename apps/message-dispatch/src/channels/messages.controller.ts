import { Controller, Get, Param, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { parseOrThrow } from '@zapgate/platform';
import { Scopes } from '@zapgate/contracts';
import { Principal, RequireScope, TokenAuthGuard, type VerifiedToken } from '@zapgate/token-client';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ChannelStore } from './channel-store.service';
import { LiveFeed } from './live-feed.service';
import { messageView } from './message.view';
import { collectionKind, COLLECTIONS } from './target';
import { TargetAccess } from './target-access.service';

const ListQuerySchema = z.looseObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  before: z.string().regex(/^\d{1,19}$/, 'must be a cursor from next_cursor').optional(),
});
const StreamQuerySchema = z.looseObject({ after: z.string().regex(/^\d{1,19}$/, 'must be an id from an earlier event').optional() });
const HEARTBEAT_MS = 15_000;
/** Re-read even without a wake-up, in case a broadcast was missed. */
const REREAD_MS = 5_000;

/** Reading a channel's, chat's or bot's messages: a page at a time, or live as Server-Sent Events. */
@ApiTags('messages')
@Controller('api/v2')
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
  @ApiQuery({ name: 'limit', required: false })
  @ApiQuery({ name: 'before', required: false })
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
              res.write(`id: ${m.storeSeq}\nevent: message\ndata: ${JSON.stringify(messageView(m))}\n\n`);
              position = m.storeSeq;
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
      res.end();
    };
    const stop = this.live.listen(target.id, () => void drain(), close);
    let beats = 0;
    const timer = setInterval(() => {
      beats += 1;
      if ((beats * REREAD_MS) % HEARTBEAT_MS < REREAD_MS) res.write(': ping\n\n');
      void drain();
    }, REREAD_MS);
    req.raw.on('close', close);
    await drain();
  }
}
