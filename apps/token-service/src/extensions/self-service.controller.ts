import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags, ApiSecurity } from '@nestjs/swagger';
import { CliqMessageSchema, CliqUserSchema } from '@zapgate/contracts';
import { Audited, parseOrThrow, setAuditActor, TimestampSchema, ZodApiBody, ZodApiResponse } from '@zapgate/platform';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { IdParamSchema } from '../admin/admin.dto';
import { ApplicationsService } from '../applications/applications.service';
import { OwnerKeyGuard } from '../applications/owner-key.guard';
import { DirectoryRepository } from '../directory/directory.repository';
import { TokenViewSchema, tokenView } from '../tokens/token.view';
import { TokenErrorCodes, TokenException } from '../tokens/token.exception';
import { TokensService } from '../tokens/tokens.service';
import { UsersService } from '../users/users.service';
import { SelfServiceLinks } from './self-service-links';

const LinkRequestSchema = z.object({ user: CliqUserSchema });
// The message with the link as a button, and the link itself (allOf: the message stays one component).
const LinkSchema = CliqMessageSchema.and(z.object({ url: z.url(), expires_at: TimestampSchema }));
const SelfTokensSchema = z.object({
  user: z.object({ id: z.uuid(), email: z.string() }),
  application: z.object({ id: z.uuid(), name: z.string() }),
  link_expires_at: TimestampSchema,
  data: z.array(TokenViewSchema),
});
/** A user holds at most max_tokens_per_user active tokens per application; revoked ones are history. */
const SELF_PAGE = 200;

/**
 * A button user's own tokens of one extension, behind a signed link: the
 * extension (owner key) asks for the link — e.g. from a "Manage tokens"
 * button — and the token message carries one too.
 */
@ApiTags('extensions')
@Controller()
export class SelfServiceController {
  constructor(
    private readonly links: SelfServiceLinks,
    private readonly applications: ApplicationsService,
    private readonly users: UsersService,
    private readonly directory: DirectoryRepository,
    private readonly tokens: TokensService,
  ) {}

  @Post('api/v2/applications/:appId/self-service-links')
  @HttpCode(200)
  @UseGuards(OwnerKeyGuard)
  @ApiSecurity('ownerKey')
  @ZodApiBody(LinkRequestSchema)
  @ZodApiResponse(LinkSchema, { description: 'a Cliq message with the link as a button, and the link itself' })
  @ApiOperation({ summary: 'A signed link for one Cliq user to see and revoke their own tokens of this extension, as a Cliq message' })
  async issue(@Param('appId') appId: string, @Body() body: unknown) {
    const application = await this.applications.get(parseOrThrow(IdParamSchema, appId, 'appId'));
    const { user: cliqUser } = parseOrThrow(LinkRequestSchema, body);
    const user = await this.users.findByEmail(cliqUser.email);
    if (!user) throw new TokenException(TokenErrorCodes.UserNotFound, 'This user has no tokens of this extension yet.');
    const { url, expiresAt } = this.links.issue(user.id, application.id);
    return {
      text: `Your tokens for *${application.name}*: see when each was last used, and revoke any you no longer need.`,
      buttons: [{ label: 'Manage your tokens', type: '+', action: { type: 'open.url', data: { web: url } } }],
      url,
      expires_at: expiresAt.toISOString(),
    };
  }

  @Get('api/v1/self/tokens')
  @ApiQuery({ name: 'link', required: true, description: 'the signed link the extension gave you' })
  @ZodApiResponse(SelfTokensSchema)
  @ApiOperation({ summary: 'Your tokens of one extension (metadata only), through a signed self-service link' })
  async list(@Query('link') link: string | undefined) {
    const grant = this.links.verify(link);
    const [application, user, page] = await Promise.all([
      this.applications.get(grant.appId),
      this.users.get(grant.userId),
      this.directory.tokens({ userId: grant.userId, applicationId: grant.appId }, SELF_PAGE),
    ]);
    return {
      user: { id: user.id, email: user.email },
      application: { id: application.id, name: application.name },
      link_expires_at: grant.expiresAt.toISOString(),
      data: page.rows.map(tokenView),
    };
  }

  @Delete('api/v1/self/tokens/:id')
  @HttpCode(204)
  @Audited('token.revoked', { target: 'token', id: 'id' })
  @ApiQuery({ name: 'link', required: true })
  @ApiOperation({ summary: 'Revoke one of your tokens of this extension, through a signed self-service link' })
  async revoke(@Param('id') id: string, @Query('link') link: string | undefined, @Req() req: FastifyRequest): Promise<void> {
    const grant = this.links.verify(link);
    setAuditActor(req, { type: 'user', id: grant.userId, name: 'self-service link' });
    const token = await this.tokens.findOwned(grant.userId, parseOrThrow(IdParamSchema, id, 'id'));
    // The link is for one extension: the user's other tokens are out of its reach.
    if (token.applicationId !== grant.appId) throw new TokenException(TokenErrorCodes.TokenNotFound, 'No such token.');
    await this.tokens.revoke(token.id, 'deleted', grant.userId);
  }
}
