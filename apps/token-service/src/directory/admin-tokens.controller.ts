import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiTags, ApiSecurity } from '@nestjs/swagger';
import { AdminKeyGuard, APP_CONFIG, Audited, dataPage, encodeCursor, parseOrThrow, ZodApiBody, ZodApiQuery, ZodApiResponse } from '@zapgate/platform';
import { IdParamSchema } from '../admin/admin.dto';
import type { TokenConfig } from '../token-config.schema';
import { RotatedTokenSchema, rotatedView, TokenViewSchema, tokenView, UsageReportSchema } from '../tokens/token.view';
import { UsageQuery } from '../usage/usage-query.service';
import { usageRange, UsageRangeSchema } from '../usage/usage-range.dto';
import { TokensService } from '../tokens/tokens.service';
import { RotateBodyDocSchema, RotateBodySchema } from '../tokens/rotate.dto';
import { TokenListQuerySchema } from './directory.dto';
import { DirectoryRepository } from './directory.repository';

/** Every token, for operators: find one, revoke it, rotate it. */
@ApiTags('operator')
@ApiSecurity('adminKey')
@UseGuards(AdminKeyGuard)
@Controller('api/v1/admin/tokens')
export class AdminTokensController {
  constructor(
    private readonly directory: DirectoryRepository,
    private readonly tokens: TokensService,
    private readonly usage: UsageQuery,
    @Inject(APP_CONFIG) private readonly config: TokenConfig,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List tokens, newest first (filters: user_id, application_id, status, kind; cursor pagination)' })
  @ZodApiQuery(TokenListQuerySchema)
  @ZodApiResponse(dataPage(TokenViewSchema))
  async list(@Query() query: unknown) {
    const q = parseOrThrow(TokenListQuerySchema, query);
    const page = await this.directory.tokens({ userId: q.user_id, applicationId: q.application_id, status: q.status, kind: q.kind }, q.limit, q.cursor);
    return { data: page.rows.map(tokenView), next_cursor: encodeCursor(page.next) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Show a token (metadata only)' })
  @ZodApiResponse(TokenViewSchema)
  async get(@Param('id') id: string) {
    return tokenView(await this.tokens.find(parseOrThrow(IdParamSchema, id, 'id')));
  }

  @Get(':id/usage')
  @ApiOperation({ summary: "A token's hourly usage: window=24h|7d|30d, or from/to (ISO 8601, ≤ 90 days)" })
  @ZodApiQuery(UsageRangeSchema)
  @ZodApiResponse(UsageReportSchema)
  async usageOf(@Param('id') id: string, @Query() query: unknown) {
    const token = await this.tokens.find(parseOrThrow(IdParamSchema, id, 'id'));
    const { from, to } = usageRange(parseOrThrow(UsageRangeSchema, query));
    return { token_id: token.id, ...(await this.usage.report(token.id, from, to)) };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke a token: it stops working at once on every replica' })
  @Audited('token.revoked', { target: 'token', id: 'id' })
  async revoke(@Param('id') id: string): Promise<void> {
    const token = await this.tokens.find(parseOrThrow(IdParamSchema, id, 'id'));
    await this.tokens.revoke(token.id, 'deleted');
  }

  @Post(':id/rotate')
  @HttpCode(201)
  @ApiOperation({ summary: "New secret for a user's token; the old one works for grace_period_seconds more (default 0)" })
  @ZodApiBody(RotateBodyDocSchema)
  @ZodApiResponse(RotatedTokenSchema, { status: 201 })
  @Audited('token.rotated', { target: 'token', id: 'id' })
  async rotate(@Param('id') id: string, @Body() body: unknown) {
    const { grace_period_seconds } = parseOrThrow(RotateBodySchema(this.config.MAX_ROTATION_GRACE_SECONDS), body ?? {});
    const token = await this.tokens.find(parseOrThrow(IdParamSchema, id, 'id'));
    const rotated = await this.tokens.rotate(token.userId, token.id, grace_period_seconds);
    return rotatedView(rotated);
  }
}
