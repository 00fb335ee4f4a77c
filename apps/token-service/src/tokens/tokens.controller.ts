import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ScopeListSchema } from '@zapgate/contracts';
import { APP_CONFIG, Audited, dataList, parseOrThrow, ZodApiBody, ZodApiQuery, ZodApiResponse } from '@zapgate/platform';
import { z } from 'zod';
import type { SessionEntity } from '../sessions/session.entity';
import { CurrentSession, SessionGuard } from '../sessions/session.guard';
import type { TokenConfig } from '../token-config.schema';
import { UsageQuery } from '../usage/usage-query.service';
import { usageRange, UsageRangeSchema } from '../usage/usage-range.dto';
import { RotateBodyDocSchema, RotateBodySchema } from './rotate.dto';
import { MintedTokenSchema, RotatedTokenSchema, rotatedView, TokenViewSchema, tokenView, UsageReportSchema } from './token.view';
import { TokensService } from './tokens.service';

const TokenIdSchema = z.uuid('must be a token id');
const MintSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  scopes: ScopeListSchema.prefault([]),
  expires_in_days: z.number().int().min(1).max(3650).optional(),
});
const ListSchema = z.object({ include_revoked: z.stringbool().default(false) }).loose();
/** A signed-in user's own tokens: list, mint, revoke, rotate, usage. */
@ApiTags('tokens')
@ApiBearerAuth()
@UseGuards(SessionGuard)
@Controller('api/v1/tokens')
export class TokensController {
  constructor(
    private readonly tokens: TokensService,
    private readonly usage: UsageQuery,
    @Inject(APP_CONFIG) private readonly config: TokenConfig,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List your tokens (metadata only)' })
  @ZodApiQuery(ListSchema)
  @ZodApiResponse(dataList(TokenViewSchema))
  async list(@CurrentSession() session: SessionEntity, @Query() query: unknown) {
    const { include_revoked } = parseOrThrow(ListSchema, query);
    return { data: (await this.tokens.list(session.userId, include_revoked)).map(tokenView) };
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a personal webhook token (ZAPI key); the secret is in this answer only' })
  @ZodApiBody(MintSchema)
  @ZodApiResponse(MintedTokenSchema, { status: 201 })
  @Audited('token.created', { target: 'token', id: 'response' })
  async mint(@CurrentSession() session: SessionEntity, @Body() body: unknown) {
    const input = parseOrThrow(MintSchema, body ?? {});
    const { secret, token } = await this.tokens.mint({
      userId: session.userId,
      kind: 'zapikey',
      name: input.name,
      scopes: input.scopes,
      expiresAt: input.expires_in_days ? new Date(Date.now() + input.expires_in_days * 86_400_000) : null,
      limit: this.config.MAX_WEBHOOK_TOKENS_PER_USER,
    });
    return { ...tokenView(token), token: secret };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke one of your tokens' })
  @Audited('token.revoked', { target: 'token', id: 'id' })
  async revoke(@CurrentSession() session: SessionEntity, @Param('id') id: string): Promise<void> {
    await this.tokens.revoke(parseOrThrow(TokenIdSchema, id, 'id'), 'deleted', session.userId);
  }

  @Post(':id/rotate')
  @HttpCode(201)
  @ApiOperation({ summary: 'New secret for a token; the old one works for grace_period_seconds more (default 0)' })
  @ZodApiBody(RotateBodyDocSchema)
  @ZodApiResponse(RotatedTokenSchema, { status: 201 })
  @Audited('token.rotated', { target: 'token', id: 'id' })
  async rotate(@CurrentSession() session: SessionEntity, @Param('id') id: string, @Body() body: unknown) {
    const { grace_period_seconds } = parseOrThrow(RotateBodySchema(this.config.MAX_ROTATION_GRACE_SECONDS), body ?? {});
    const rotated = await this.tokens.rotate(session.userId, parseOrThrow(TokenIdSchema, id, 'id'), grace_period_seconds);
    return rotatedView(rotated);
  }

  @Get(':id/usage')
  @ApiOperation({ summary: 'Hourly usage: window=24h|7d|30d, or from/to (ISO 8601, ≤ 90 days)' })
  @ZodApiQuery(UsageRangeSchema)
  @ZodApiResponse(UsageReportSchema)
  async usageOf(@CurrentSession() session: SessionEntity, @Param('id') id: string, @Query() query: unknown) {
    const token = await this.tokens.findOwned(session.userId, parseOrThrow(TokenIdSchema, id, 'id'));
    const { from, to } = usageRange(parseOrThrow(UsageRangeSchema, query));
    return { token_id: token.id, ...(await this.usage.report(token.id, from, to)) };
  }
}
