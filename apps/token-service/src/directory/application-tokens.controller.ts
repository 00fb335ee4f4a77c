import { Controller, Delete, Get, HttpCode, Param, Query, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiTags, ApiSecurity } from '@nestjs/swagger';
import { Audited, dataPage, encodeCursor, parseOrThrow, ZodApiQuery, ZodApiResponse } from '@zapgate/platform';
import { IdParamSchema } from '../admin/admin.dto';
import { OwnerKeyGuard } from '../applications/owner-key.guard';
import { TokenViewSchema, tokenView } from '../tokens/token.view';
import { TokenErrorCodes, TokenException } from '../tokens/token.exception';
import { TokensService } from '../tokens/tokens.service';
import { TokenListQuerySchema } from './directory.dto';
import { DirectoryRepository } from './directory.repository';

/** An application's owner sees and revokes the tokens its button minted for its users, and no others. */
@ApiTags('applications')
@ApiSecurity('ownerKey')
@ApiSecurity('adminKey')
@UseGuards(OwnerKeyGuard)
@Controller('api/v1/applications/:appId/tokens')
export class ApplicationTokensController {
  constructor(
    private readonly directory: DirectoryRepository,
    private readonly tokens: TokensService,
  ) {}

  @Get()
  @ApiOperation({ summary: "Tokens of this application's users, newest first (filters: user_id, status; cursor pagination)" })
  @ZodApiQuery(TokenListQuerySchema.pick({ cursor: true, limit: true, user_id: true, status: true }))
  @ZodApiResponse(dataPage(TokenViewSchema))
  async list(@Param('appId') appId: string, @Query() query: unknown) {
    const q = parseOrThrow(TokenListQuerySchema, query);
    const page = await this.directory.tokens(
      { applicationId: parseOrThrow(IdParamSchema, appId, 'appId'), userId: q.user_id, status: q.status },
      q.limit,
      q.cursor,
    );
    return { data: page.rows.map(tokenView), next_cursor: encodeCursor(page.next) };
  }

  @Delete(':tokenId')
  @HttpCode(204)
  @ApiOperation({ summary: "Revoke one of this application's tokens" })
  @Audited('token.revoked', { target: 'token', id: 'tokenId' })
  async revoke(@Param('appId') appId: string, @Param('tokenId') tokenId: string): Promise<void> {
    const token = await this.tokens.find(parseOrThrow(IdParamSchema, tokenId, 'tokenId'));
    // Another application's token is "not found" here, so an owner learns nothing about it.
    if (token.applicationId !== appId) throw new TokenException(TokenErrorCodes.TokenNotFound, 'No such token.');
    await this.tokens.revoke(token.id, 'deleted');
  }
}
