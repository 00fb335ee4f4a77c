import { Controller, Get, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CommonCodes, CommonException, ZodApiResponse } from '@zapgate/platform';
import { extractToken } from '@zapgate/token-client';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { TokensService } from './tokens.service';

const CurrentTokenSchema = z.object({
  token_id: z.uuid(),
  user_id: z.uuid(),
  application_id: z.uuid().nullable(),
  scopes: z.array(z.string()),
});

/**
 * Who is this token? Accepts a token wherever old and new clients put it:
 * `Authorization: <token>`, `Bearer <token>`, `Zoho-oauthtoken <token>`,
 * `?authtoken=` or `?zapikey=`.
 */
@ApiTags('tokens')
@Controller('api/v1/tokens/current')
export class CurrentTokenController {
  constructor(private readonly tokens: TokensService) {}

  @Get()
  @ApiOperation({ summary: 'Introspect the presented token' })
  @ZodApiResponse(CurrentTokenSchema)
  async current(@Req() req: FastifyRequest) {
    const presented = extractToken({ query: req.query as Record<string, unknown>, headers: req.headers });
    const verified = presented ? await this.tokens.verify(presented, req.ip) : { active: false as const };
    if (!verified.active) throw new CommonException(CommonCodes.Unauthorized, 'The token is invalid, revoked or expired.');
    return { token_id: verified.tokenId, user_id: verified.userId, application_id: verified.appId, scopes: verified.scopes };
  }
}
