import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { DomainException, parseOrThrow } from '@zapgate/platform';
import { TokenAuthGuard } from '@zapgate/token-client';
import { z } from 'zod';
import { ChannelStore } from './channel-store.service';
import type { MessageEntity } from './message.entity';

class ChannelNotFound extends DomainException<'channel_not_found'> {
  readonly httpStatus = 404;
  constructor() {
    super('channel_not_found', 'No channel with that unique name.');
  }
}

const ListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  before: z.string().regex(/^\d{1,19}$/, 'must be a cursor from next_cursor').optional(),
});

const publicMessage = (m: MessageEntity) => ({
  id: m.id,
  event_id: m.eventId,
  sender: m.senderUserId ? { type: 'user', id: m.senderUserId } : null,
  time: m.receivedAt.toISOString(),
  content: m.content,
});

@ApiTags('messages')
@Controller('api/v2/channelsbyname')
@UseGuards(TokenAuthGuard)
export class ChannelMessagesController {
  constructor(private readonly store: ChannelStore) {}

  @Get(':name/messages')
  @ApiOperation({ summary: 'Messages of a channel, newest first, with cursor pagination' })
  @ApiQuery({ name: 'zapikey', required: false })
  @ApiQuery({ name: 'limit', required: false })
  @ApiQuery({ name: 'before', required: false })
  async list(@Param('name') name: string, @Query() query: Record<string, unknown>) {
    const { limit, before } = parseOrThrow(ListQuerySchema.loose(), query);
    const channel = await this.store.findTarget('channel', name);
    if (!channel) throw new ChannelNotFound();
    const page = await this.store.page(channel.id, limit, before);
    return { channel: { id: channel.id, unique_name: channel.uniqueName }, data: page.messages.map(publicMessage), next_cursor: page.nextCursor };
  }
}
