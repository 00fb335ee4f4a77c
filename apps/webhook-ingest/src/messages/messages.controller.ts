import { applyDecorators, Controller, HttpCode, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ChatIdSchema, CliqMessageSchema, UniqueNameSchema, type MessageTarget, type WebhookSource, Scopes } from '@zapgate/contracts';
import { openApiSchema, parseOrThrow, ZodApiQuery, ZodApiResponse } from '@zapgate/platform';
import { ApiTokenAuth, Principal, RequireScope, TokenAuthGuard, type VerifiedToken } from '@zapgate/token-client';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { IngestService } from '../ingest/ingest.service';
import { IpFloodGuard, UserRateLimitGuard } from '../limits/limit.guards';
import { answerAccepted } from './accepted.answer';

const UniqueName = UniqueNameSchema;
const ChatId = ChatIdSchema;
const Email = z.email('must be an email address').max(254);

const PostQuerySchema = z.object({
  zapikey: z.string().optional().describe('the token, if not in Authorization'),
  sync_message: z.enum(['true', 'false']).optional().describe('true: answer 200 with the message id instead of 204'),
  bot_unique_name: UniqueName.optional().describe('post as this bot; it must be a participant of the target'),
});

/** What every message endpoint takes and answers, in the document. */
function PostsMessage(): MethodDecorator {
  const message = openApiSchema(CliqMessageSchema, 'input');
  return applyDecorators(
    ApiBody({
      description: 'A Cliq message: JSON, the same fields as a form, or plain text taken as its text',
      schema: message,
    }),
    ZodApiQuery(PostQuerySchema),
    ApiResponse({ status: 204, description: 'Stored durably; the event id is in X-Zapgate-Event-Id (X-Zapgate-Duplicate: true for a repeat)' }),
    ZodApiResponse(z.object({ message_id: z.uuid() }), { description: 'With sync_message=true: the id of the stored message' }),
  );
}

/**
 * Cliq's message-posting endpoints. The body is a Cliq message (JSON, form
 * fields, or plain text as the message text), validated in full; the answer
 * is 204 once the event is durably stored, or 200 {"message_id"} with
 * sync_message=true.
 */
@ApiTags('messages')
@Controller('api/v2')
@ApiTokenAuth()
@UseGuards(IpFloodGuard, TokenAuthGuard, UserRateLimitGuard)
@RequireScope(Scopes.WebhooksCreate)
export class MessagesController {
  constructor(private readonly ingest: IngestService) {}

  @Post('channelsbyname/:name/message')
  @HttpCode(204)
  @ApiOperation({ summary: 'Post a message to a channel' })
  @PostsMessage()
  channel(
    @Param('name') name: string,
    @Query() q: Record<string, unknown>,
    @Principal() p: VerifiedToken,
    @Req() req: FastifyRequest,
    @Res() res: FastifyReply,
  ) {
    return this.post('channel-post', { kind: 'channel', name: parseOrThrow(UniqueName, name, 'name') }, q, p, req, res);
  }

  @Post('bots/:bot/message')
  @HttpCode(204)
  @ApiOperation({ summary: 'Post a message as or to a bot' })
  @PostsMessage()
  bot(@Param('bot') bot: string, @Query() q: Record<string, unknown>, @Principal() p: VerifiedToken, @Req() req: FastifyRequest, @Res() res: FastifyReply) {
    return this.post('bot-message', { kind: 'bot', name: parseOrThrow(UniqueName, bot, 'bot') }, q, p, req, res);
  }

  @Post('chats/:chatId/message')
  @HttpCode(204)
  @ApiOperation({ summary: 'Post a message to a chat' })
  @PostsMessage()
  chat(
    @Param('chatId') chatId: string,
    @Query() q: Record<string, unknown>,
    @Principal() p: VerifiedToken,
    @Req() req: FastifyRequest,
    @Res() res: FastifyReply,
  ) {
    return this.post('chat-message', { kind: 'chat', id: parseOrThrow(ChatId, chatId, 'chatId') }, q, p, req, res);
  }

  @Post('buddies/:email/message')
  @HttpCode(204)
  @ApiOperation({ summary: 'Post a message to a user' })
  @PostsMessage()
  buddy(
    @Param('email') email: string,
    @Query() q: Record<string, unknown>,
    @Principal() p: VerifiedToken,
    @Req() req: FastifyRequest,
    @Res() res: FastifyReply,
  ) {
    return this.post('buddy-message', { kind: 'user', email: parseOrThrow(Email, email, 'email').toLowerCase() }, q, p, req, res);
  }

  private async post(
    source: WebhookSource,
    target: MessageTarget,
    query: Record<string, unknown>,
    principal: VerifiedToken,
    req: FastifyRequest,
    res: FastifyReply,
  ) {
    const asBot = query.bot_unique_name === undefined ? undefined : parseOrThrow(UniqueName, query.bot_unique_name, 'bot_unique_name');
    const result = await this.ingest.ingest({ source, target, principal, req, kind: 'message', asBot, dedupScope: `user:${principal.userId}` });
    return answerAccepted(res, result, query.sync_message === 'true' || result.syncRequested);
  }
}
