import { Body, Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Subjects } from '@zapgate/contracts';
import { CorrelationId, JetStreamService, parseOrThrow, ZodApiBody } from '@zapgate/platform';
import { Principal, TokenAuthGuard, type VerifiedToken } from '@zapgate/token-client';
import { randomUUID } from 'node:crypto';
import { ChannelNameSchema, ChannelPostSchema } from './channel-post.dto';

@ApiTags('messages')
@Controller('api/v2/channelsbyname')
@UseGuards(TokenAuthGuard)
export class ChannelPostController {
  constructor(private readonly jetstream: JetStreamService) {}

  @Post(':name/message')
  @HttpCode(204)
  @ApiOperation({ summary: 'Post a message to a channel; answers 204 once the event is durably stored' })
  @ApiQuery({ name: 'zapikey', required: false, description: 'ZAPI key (or use the Authorization header)' })
  @ZodApiBody(ChannelPostSchema)
  async post(
    @Param('name') name: string,
    @Body() body: unknown,
    @Principal() principal: VerifiedToken,
    @CorrelationId() correlationId: string,
  ): Promise<void> {
    const channel = parseOrThrow(ChannelNameSchema, name, 'name');
    const message = parseOrThrow(ChannelPostSchema, body);
    const eventId = randomUUID();
    await this.jetstream.publish(
      Subjects.WebhookReceived,
      {
        eventId,
        receivedAt: new Date().toISOString(),
        source: 'channel-post',
        userId: principal.userId,
        tokenId: principal.tokenId,
        target: { kind: 'channel', name: channel },
        message,
      },
      { msgID: eventId, correlationId },
    );
  }
}
