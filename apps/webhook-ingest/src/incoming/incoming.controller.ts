import { All, Controller, HttpCode, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { UniqueNameSchema, Scopes } from '@zapgate/contracts';
import { CommonCodes, CommonException, parseOrThrow } from '@zapgate/platform';
import {
  ApiTokenAuth,
  AppkeyGuard,
  CurrentApplication,
  Principal,
  RequireScope,
  TokenAuthGuard,
  type VerifiedApplication,
  type VerifiedToken,
} from '@zapgate/token-client';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { IngestService } from '../ingest/ingest.service';
import { IpFloodGuard, UserRateLimitGuard } from '../limits/limit.guards';
import { answerAccepted } from '../messages/accepted.answer';

const BotName = UniqueNameSchema;
// Any body a sender sends is stored as received (raw), and handed to the handler as a string.
const ANY_BODY = { required: false, description: 'whatever the sender posts (JSON, form, text, bytes), stored byte for byte', schema: {} };
const STORED = { status: 204, description: 'Stored durably; the event id is in X-Zapgate-Event-Id (and X-Zapgate-Duplicate: true for a repeat)' };
const EXTENSION_METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE']);

/**
 * Incoming webhooks from any sender (GitHub, GitLab, any app). The raw
 * request (headers, parameters, body as a string, method) is stored and
 * handed to the extension's or bot's handler; a configured sender signature
 * is checked first.
 */
@ApiTags('incoming webhooks')
@Controller('api/v2')
@ApiTokenAuth()
@RequireScope(Scopes.WebhooksCreate)
export class IncomingController {
  constructor(private readonly ingest: IngestService) {}

  @All('applications/:appId/incoming')
  @UseGuards(IpFloodGuard, AppkeyGuard, TokenAuthGuard, UserRateLimitGuard)
  @ApiOperation({ summary: 'Extension incoming webhook (GET, POST, PUT, DELETE); ?appkey=…&zapikey=…' })
  @ApiQuery({ name: 'appkey', required: true })
  @ApiQuery({ name: 'zapikey', required: false })
  @ApiBody(ANY_BODY)
  @HttpCode(204)
  @ApiResponse(STORED)
  @ApiResponse({ status: 405, description: 'A method other than GET, POST, PUT or DELETE' })
  async application(
    @CurrentApplication() app: VerifiedApplication,
    @Principal() principal: VerifiedToken,
    @Req() req: FastifyRequest,
    @Res() res: FastifyReply,
  ) {
    if (!EXTENSION_METHODS.has(req.method)) {
      return res.status(405).header('allow', 'GET, POST, PUT, DELETE').send({ code: 'method_not_allowed', message: 'Use GET, POST, PUT or DELETE.' });
    }
    // A user's ZAPI key belongs to one extension; another's key gets the same 401 as an unknown one.
    if (principal.appId !== app.id) throw new CommonException(CommonCodes.Unauthorized, 'The token is invalid, revoked or expired.');
    const result = await this.ingest.ingest({
      source: 'application-incoming',
      target: { kind: 'application', id: app.id },
      principal,
      req,
      kind: 'incoming',
      appId: app.id,
      signedBy: { kind: 'application', id: app.id },
      dedupScope: `app:${app.id}`,
    });
    return answerAccepted(res, result, false);
  }

  @Post('bots/:bot/incoming')
  @UseGuards(IpFloodGuard, TokenAuthGuard, UserRateLimitGuard)
  @ApiOperation({ summary: 'Bot incoming webhook; ?zapikey=…' })
  @ApiQuery({ name: 'zapikey', required: false })
  @ApiBody(ANY_BODY)
  @HttpCode(204)
  @ApiResponse(STORED)
  async bot(@Param('bot') bot: string, @Principal() principal: VerifiedToken, @Req() req: FastifyRequest, @Res() res: FastifyReply) {
    const name = parseOrThrow(BotName, bot, 'bot');
    const result = await this.ingest.ingest({
      source: 'bot-incoming',
      target: { kind: 'bot', name },
      principal,
      req,
      kind: 'incoming',
      signedBy: { kind: 'bot', id: name.toLowerCase() },
      dedupScope: `bot:${name.toLowerCase()}`,
    });
    return answerAccepted(res, result, false);
  }
}
