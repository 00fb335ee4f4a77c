import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import {
  APP_CONFIG,
  Audited,
  DomainException,
  OperatorVerifier,
  parseOrThrow,
  setAuditTarget,
  TimestampSchema,
  ZodApiBody,
  ZodApiQuery,
  ZodApiResponse,
} from '@zapgate/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { Access, AppkeyVerifier, canSee, OwnerAccessGuard, presentedOwnerKey, type OwnerAccess } from '@zapgate/token-client';
import { ConnectionsService } from '../connections/connections.service';
import { PRESETS } from '../connectors/connector-presets';
import { ConnectorsService, type ConnectorRow } from '../connectors/connectors.service';
import type { OAuthConfig } from '../oauth-config.schema';
import { OAuthErrorCodes, OAuthException } from '../oauth.exception';
import { ProviderClient, ProviderError } from '../provider/provider-client.service';
import { callbackPage, prefersHtml } from './callback-page';
import { zohoTokenHost } from './zoho-token-host';
import { StateService } from './state.service';

const UserRef = z.string().min(1).max(200);
const AuthorizeQuery = z.looseObject({
  user: UserRef.describe('your reference for the user the connection belongs to'),
  expires: z.coerce.number().int().optional().describe('from a signed link'),
  sig: z.string().max(100).optional().describe('from a signed link'),
});
const LinkSchema = z.object({ user: UserRef, ttl_seconds: z.number().int().min(30).max(3600).default(600) });
const CallbackQuery = z.looseObject({
  code: z.string().max(4000).optional(),
  state: z.string().max(200).optional(),
  error: z.string().max(200).optional(),
  error_description: z.string().max(1000).optional(),
  location: z.string().max(20).optional(),
  'accounts-server': z.string().max(200).optional(),
});

const AuthorizeLinkSchema = z.object({ url: z.url(), expires_at: TimestampSchema });
const AuthorizedSchema = z.object({
  connection_id: z.uuid(),
  connector_id: z.uuid(),
  user: z.string(),
  status: z.enum(['active', 'reauth_required', 'revoked']),
  scope: z.string().nullable(),
  expires_at: TimestampSchema.nullable(),
  api_domain: z.string().nullable(),
  has_refresh_token: z.boolean(),
});

/** Starting an authorization (code flow with PKCE S256) and finishing it at the callback. */
@ApiTags('authorization')
@Controller('api/v1')
export class AuthorizationController {
  constructor(
    private readonly connectors: ConnectorsService,
    private readonly connections: ConnectionsService,
    private readonly states: StateService,
    private readonly provider: ProviderClient,
    private readonly appkeys: AppkeyVerifier,
    private readonly operators: OperatorVerifier,
    @Inject(APP_CONFIG) private readonly config: OAuthConfig,
  ) {}

  @Post('connectors/:id/authorize-links')
  @HttpCode(200)
  @UseGuards(OwnerAccessGuard)
  @ApiSecurity('adminKey')
  @ApiSecurity('ownerKey')
  @ZodApiBody(LinkSchema)
  @ZodApiResponse(AuthorizeLinkSchema)
  @ApiOperation({ summary: "A signed, short-lived authorize link for one user, to hand to that user's browser" })
  @Audited('connection.authorize_link_created', { target: 'connector', id: 'id' })
  async link(@Param('id') id: string, @Body() body: unknown, @Access() access: OwnerAccess) {
    const connector = await this.connectors.visible(id, access);
    const { user, ttl_seconds } = parseOrThrow(LinkSchema, body);
    const expires = Math.floor(Date.now() / 1000) + ttl_seconds;
    const url = new URL(`api/v1/connectors/${connector.id}/authorize`, `${this.config.PUBLIC_OAUTH_URL.replace(/\/$/, '')}/`);
    url.searchParams.set('user', user);
    url.searchParams.set('expires', String(expires));
    url.searchParams.set('sig', this.states.sign(`link:${connector.id}:${user}:${expires}`));
    return { url: url.toString(), expires_at: new Date(expires * 1000).toISOString() };
  }

  @Get('connectors/:id/authorize')
  @ApiOperation({ summary: "Redirects the user's browser to the provider (state: signed, single use, 10 minutes; PKCE S256)" })
  @ZodApiQuery(AuthorizeQuery)
  @ApiResponse({ status: 302, description: "To the provider's consent page (Location)" })
  async authorize(@Param('id') id: string, @Query() query: unknown, @Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    const q = parseOrThrow(AuthorizeQuery, query);
    const connector = await this.connectors.row(id);
    await this.checkAuthorizeAccess(connector, q, req);
    const { state, codeChallenge } = await this.states.begin(connector.id, q.user);
    const url = new URL(connector.authorization_url);
    const params: Record<string, string> = {
      ...connector.extra_params,
      response_type: 'code',
      client_id: connector.client_id,
      redirect_uri: connector.redirect_url,
      state,
      code_challenge: codeChallenge,
      code_challenge_method: 'S256',
    };
    if (connector.scopes.length) params.scope = connector.scopes.join(PRESETS[connector.preset].scopeSeparator);
    // Zoho issues a refresh token only for access_type=offline, and a second one only with prompt=consent.
    if (connector.preset === 'zoho') {
      params.access_type = connector.access_type;
      if (connector.access_type === 'offline') params.prompt = 'consent';
    }
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    void res.status(302).header('location', url.toString()).header('cache-control', 'no-store').send();
  }

  @Get('oauth/callback')
  @ApiOperation({ summary: 'Where the provider sends the user back: exchanges the code and stores the connection' })
  @ZodApiQuery(CallbackQuery)
  @ZodApiResponse(AuthorizedSchema, { description: 'The connection (JSON); a browser asking for text/html gets a page that says the same' })
  @Audited('connection.authorized', { target: 'connection', id: 'response.connection_id' })
  async callback(
    @Query() query: unknown,
    @Headers('accept') accept: string | undefined,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const browser = prefersHtml(accept);
    try {
      const { connector_name, ...result } = await this.complete(query);
      if (!browser) return result;
      setAuditTarget(req, result.connection_id);
      void reply.type('text/html; charset=utf-8');
      return callbackPage({ ok: true, connector: connector_name, user: result.user });
    } catch (err) {
      if (!browser || !(err instanceof DomainException)) throw err;
      void reply.status(err.httpStatus).type('text/html; charset=utf-8');
      return callbackPage({ ok: false, message: err.message });
    }
  }

  private async complete(query: unknown) {
    const q = parseOrThrow(CallbackQuery, query);
    const pending = await this.states.consume(q.state);
    if (q.error)
      throw new OAuthException(
        OAuthErrorCodes.AuthorizationDenied,
        `The provider refused the authorization: ${q.error}${q.error_description ? ` (${q.error_description})` : ''}.`,
      );
    if (!q.code) throw new OAuthException(OAuthErrorCodes.AuthorizationDenied, 'The provider sent no code.');
    const connector = await this.connectors.row(pending.connectorId);
    const tokenHost = zohoTokenHost(connector, q.location, q['accounts-server']);
    let answer;
    try {
      answer = await this.provider.exchangeCode(connector, q.code, pending.codeVerifier, tokenHost);
    } catch (err) {
      if (err instanceof ProviderError) throw new OAuthException(OAuthErrorCodes.ProviderError, `The provider did not exchange the code (${err.code}).`);
      throw err;
    }
    const connection = await this.connections.saveAuthorized(connector.id, pending.userRef, answer, tokenHost);
    return {
      connector_name: connector.name,
      connection_id: connection.id,
      connector_id: connector.id,
      user: connection.user_ref,
      status: connection.status,
      scope: connection.scope,
      expires_at: connection.expires_at,
      api_domain: connection.api_domain,
      has_refresh_token: connection.refresh_token_sealed !== null,
    };
  }

  /**
   * An operator, the connector's application by its owner key, or a signed link made by one of
   * them. Not the appkey: every user sees it, and with it could start a connection in another
   * user's name.
   */
  private async checkAuthorizeAccess(connector: ConnectorRow, q: z.infer<typeof AuthorizeQuery>, req: FastifyRequest): Promise<void> {
    if (await this.operators.authorize(req)) return;
    if (q.sig && q.expires) {
      if (q.expires * 1000 > Date.now() && this.states.verify(`link:${connector.id}:${q.user}:${q.expires}`, q.sig)) return;
      throw new OAuthException(OAuthErrorCodes.InvalidLink, 'The authorize link is invalid or has expired; ask for a new one.');
    }
    const ownerKey = presentedOwnerKey(req.headers);
    if (ownerKey && connector.app_id) {
      const app = await this.appkeys.verifyOwner(connector.app_id, ownerKey, req.id);
      if (app && canSee({ role: 'application', appId: app.id }, connector.app_id)) return;
    }
    throw new OAuthException(
      OAuthErrorCodes.InvalidLink,
      "Authorize with a signed link (POST …/authorize-links), the application's owner key (X-Owner-Key) or X-Admin-Key.",
    );
  }
}
