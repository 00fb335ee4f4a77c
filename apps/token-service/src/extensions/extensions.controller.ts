import { Body, Controller, Headers, HttpCode, Inject, Param, Post, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags, ApiSecurity } from '@nestjs/swagger';
import { CliqMessageSchema, CliqUserSchema, TokenButtonSchema } from '@zapgate/contracts';
import { APP_CONFIG, Audited, CommonException, setAuditActor, zodDetails, ZodApiBody, ZodApiResponse, type ErrorDetail } from '@zapgate/platform';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ApplicationsService } from '../applications/applications.service';
import type { TokenConfig } from '../token-config.schema';
import { TokenErrorCodes, TokenException } from '../tokens/token.exception';
import { TokensService } from '../tokens/tokens.service';
import { UsersService } from '../users/users.service';
import { SelfServiceLinks } from './self-service-links';
import { tokenIssuedMessage } from './token-issued.message';

const InvokeBodySchema = z.object({
  user: CliqUserSchema,
  button: TokenButtonSchema,
  chat: z.looseObject({}).optional(),
});

const ButtonsSchema = z.union([TokenButtonSchema, z.array(TokenButtonSchema).min(1).max(5)]);

@ApiTags('extensions')
@Controller('api/v2')
export class ExtensionsController {
  constructor(
    private readonly applications: ApplicationsService,
    private readonly users: UsersService,
    private readonly tokens: TokensService,
    private readonly links: SelfServiceLinks,
    @Inject(APP_CONFIG) private readonly config: TokenConfig,
  ) {}

  /**
   * Cliq's token-generation button callback: the user confirmed the dialog,
   * so mint their ZAPI key for this extension and show it once. The
   * extension's server calls it with its owner key: the appkey alone is in
   * every user's webhook URL, and would let any of them mint a token in
   * another user's name. The appkey is still needed, for that URL.
   */
  @Post('applications/:appId/functions/:name/invoke')
  @HttpCode(200)
  @ApiOperation({ summary: 'Token generation button (invoke.function + user_webhook_token): mints a ZAPI key' })
  @ApiQuery({ name: 'appkey', required: false, description: 'or the X-Appkey header' })
  @ApiSecurity('ownerKey')
  @ZodApiBody(InvokeBodySchema)
  @ZodApiResponse(CliqMessageSchema, { description: 'The Cliq message to show the user: the token (this once), the webhook URL, a link to manage tokens' })
  @Audited('token.created_by_button', { target: 'application', id: 'appId' })
  async invoke(
    @Param('appId') appId: string,
    @Param('name') name: string,
    @Query('appkey') appkeyQuery: string | undefined,
    @Headers('x-appkey') appkeyHeader: string | undefined,
    @Headers('x-owner-key') ownerKey: string | undefined,
    @Body() body: unknown,
    @Req() req: FastifyRequest,
  ) {
    const appkey = appkeyQuery || appkeyHeader;
    const application = await this.applications.authenticate(appId, appkey);
    if (!ownerKey || !(await this.applications.authenticateOwner(application.id, ownerKey))) {
      throw new TokenException(TokenErrorCodes.OwnerKeyRequired, "Minting a user's token takes the application's owner key (X-Owner-Key) besides its appkey.");
    }
    setAuditActor(req, { type: 'owner', id: application.id, name: application.name });
    const parsed = InvokeBodySchema.safeParse(body);
    const details: ErrorDetail[] = parsed.success ? [] : zodDetails(parsed.error);
    const calledName = (body as { button?: { action?: { data?: { name?: unknown } } } } | null)?.button?.action?.data?.name;
    if (typeof calledName === 'string' && calledName !== name) {
      details.push({ path: 'button.action.data.name', message: `must be the invoked function's name ('${name}')` });
    }
    if (!parsed.success || details.length) throw CommonException.invalid(details, 'The token generation button is not valid.');
    const { user: cliqUser, button } = parsed.data;

    const displayName = [cliqUser.first_name, cliqUser.last_name].filter(Boolean).join(' ') || cliqUser.email.split('@')[0];
    const user = await this.users.findOrProvision(cliqUser.email, displayName);
    const tokenName = `${application.name}: ${button.label}`.slice(0, 100);
    const { secret } = await this.tokens.mint({
      userId: user.id,
      kind: 'zapikey',
      name: tokenName,
      scopes: application.allowedScopes,
      applicationId: application.id,
      limit: application.maxTokensPerUser,
    });
    const incoming = new URL(`/api/v2/applications/${application.id}/incoming`, this.config.PUBLIC_INGEST_URL);
    incoming.searchParams.set('appkey', appkey!);
    incoming.searchParams.set('zapikey', secret);
    return tokenIssuedMessage({
      applicationName: application.name,
      title: button.action.confirm.title,
      token: secret,
      tokenName,
      incomingUrl: incoming.toString(),
      manageUrl: this.links.issue(user.id, application.id).url,
    });
  }

  /** Lets extension developers check a token generation button (or up to 5) before shipping it. */
  @Post('buttons/validate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Validate a token generation button; 400 lists every violation' })
  @ZodApiBody(ButtonsSchema)
  @ZodApiResponse(z.object({ valid: z.literal(true), buttons: z.number().int() }))
  validate(@Body() body: unknown) {
    const parsed = ButtonsSchema.safeParse(body);
    if (!parsed.success) {
      // A union error hides the per-field reasons; report against the shape the caller sent.
      const issues = Array.isArray(body) ? body.flatMap((b, i) => detailsOf(b, `[${i}]`)) : detailsOf(body, '');
      throw CommonException.invalid(issues.length ? issues : zodDetails(parsed.error), 'The button is not valid.');
    }
    return { valid: true, buttons: Array.isArray(parsed.data) ? parsed.data.length : 1 };
  }
}

function detailsOf(button: unknown, prefix: string): ErrorDetail[] {
  const result = TokenButtonSchema.safeParse(button);
  return result.success ? [] : zodDetails(result.error, prefix);
}
