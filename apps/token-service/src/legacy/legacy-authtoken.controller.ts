import { All, Body, Controller, Get, Inject, Logger, Post, Query, Req, Res } from '@nestjs/common';
import { ApiConsumes, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { expandScope } from '@zapgate/contracts';
import { APP_CONFIG, AuditRepository, TextApiResponse, ZodApiBody, ZodApiQuery, type AuditActor } from '@zapgate/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { CredentialsService } from '../sessions/credentials.service';
import type { TokenConfig } from '../token-config.schema';
import { TokenErrorCodes, TokenException } from '../tokens/token.exception';
import { TokensService } from '../tokens/tokens.service';
import { legacyFailure, legacySuccess, propertiesBody } from './properties-response';

const CreateFieldsSchema = z.object({
  EMAIL_ID: z.string().trim().min(1).max(254),
  PASSWORD: z.string().min(1).max(200),
  SCOPE: z.string().trim().min(1).max(100).default('ZohoCliq/webhooks'),
  DISPLAY_NAME: z.string().trim().min(1).max(100).default('authtoken'),
});

type Fields = Record<string, unknown>;

const ANSWER = 'text/plain properties: `RESULT=TRUE` and `AUTHTOKEN=…`, or `RESULT=FALSE` and a `CAUSE`';

/** Legacy CAUSE values; the first two are documented by Zoho, the rest are ours. */
const CAUSES: Partial<Record<string, { cause: string; status: number }>> = {
  [TokenErrorCodes.InvalidCredentials]: { cause: 'INVALID_CREDENTIALS', status: 200 },
  [TokenErrorCodes.NotConfirmed]: { cause: 'ACCOUNT_REGISTRATION_NOT_CONFIRMED', status: 200 },
  [TokenErrorCodes.TooManyTokens]: { cause: 'EXCEEDED_MAXIMUM_ALLOWED_AUTHTOKENS', status: 200 },
  [TokenErrorCodes.UserInactive]: { cause: 'ACCOUNT_DEACTIVATED', status: 200 },
  [TokenErrorCodes.TooManySignInAttempts]: { cause: 'RATE_LIMIT_EXCEEDED', status: 429 },
};

/**
 * The pre-OAuth authtoken API for old clients. Answers are text/plain
 * properties; like the original, a refused request is HTTP 200 with
 * RESULT=FALSE and a CAUSE (clients parse the body), except 400 for missing
 * fields, 403 for a password in the URL, and 429 when throttled.
 */
@ApiTags('legacy authtoken')
@Controller()
export class LegacyAuthtokenController {
  private readonly logger = new Logger(LegacyAuthtokenController.name);

  constructor(
    private readonly credentials: CredentialsService,
    private readonly tokens: TokensService,
    @Inject(AuditRepository) private readonly audit: AuditRepository,
    @Inject(APP_CONFIG) private readonly config: TokenConfig,
  ) {}

  @Post(['apiauthtoken/nb/create', 'crm/apiauthtoken.do'])
  @ApiOperation({ summary: 'Create an authtoken from form fields EMAIL_ID, PASSWORD, SCOPE, DISPLAY_NAME' })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ZodApiBody(CreateFieldsSchema)
  @ZodApiQuery(CreateFieldsSchema.omit({ PASSWORD: true }).partial())
  @TextApiResponse(ANSWER)
  async createFromForm(@Body() body: unknown, @Query() query: Fields, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    if (query.PASSWORD !== undefined && !this.config.LEGACY_AUTHTOKEN_GET_ENABLED) return this.passwordInUrl(reply);
    const fields = { ...query, ...(body && typeof body === 'object' ? (body as Fields) : {}) };
    return this.create(fields, req, reply);
  }

  @Get(['apiauthtoken/nb/create', 'crm/apiauthtoken.do'])
  @ApiOperation({ summary: 'Legacy GET form with the password in the URL: refused unless LEGACY_AUTHTOKEN_GET_ENABLED' })
  @ZodApiQuery(CreateFieldsSchema)
  @TextApiResponse(ANSWER)
  async createFromQuery(@Query() query: Fields, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    if (!this.config.LEGACY_AUTHTOKEN_GET_ENABLED) return this.passwordInUrl(reply);
    return this.create(query, req, reply);
  }

  @All('crm/deleteapiauthtoken.do')
  @ApiOperation({ summary: 'Delete an authtoken: ?crmauthtoken=<token>' })
  @ApiQuery({ name: 'crmauthtoken', required: true, description: 'the authtoken to delete' })
  @TextApiResponse('text/plain properties: `RESULT=TRUE`, or `RESULT=FALSE` and `CAUSE=INVALID_AUTHTOKEN`')
  async delete(@Query('crmauthtoken') token: string | undefined, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const revoked = typeof token === 'string' ? await this.tokens.revokeBySecret(token) : undefined;
    // Whoever holds the secret may delete it: the token itself is the actor.
    if (revoked) await this.record(req, 'token.revoked', revoked, { type: 'token', id: revoked, name: 'legacy delete' });
    return this.send(reply, 200, revoked ? propertiesBody([['RESULT', 'TRUE']]) : legacyFailure('INVALID_AUTHTOKEN'));
  }

  private async create(fields: Fields, req: FastifyRequest, reply: FastifyReply) {
    const parsed = CreateFieldsSchema.safeParse(fields);
    if (!parsed.success) return this.send(reply, 400, legacyFailure('INVALID_PARAMETERS'));
    const { EMAIL_ID, PASSWORD, SCOPE, DISPLAY_NAME } = parsed.data;
    // Another Zoho service's scope (ZohoCRM/crmapi) would mint a token that can do nothing here.
    const scopes = expandScope(SCOPE);
    if (!scopes) return this.send(reply, 200, legacyFailure('INVALID_SCOPE'));
    try {
      const user = await this.credentials.check(EMAIL_ID, PASSWORD, req.ip);
      const { secret, token } = await this.tokens.mint({
        userId: user.id,
        kind: 'authtoken',
        name: DISPLAY_NAME,
        scopes: [...scopes],
        limit: this.config.MAX_AUTHTOKENS_PER_USER,
      });
      await this.record(req, 'token.created', token.id, { type: 'user', id: user.id, name: 'legacy authtoken API' });
      return this.send(reply, 200, legacySuccess(secret));
    } catch (err) {
      const mapped = err instanceof TokenException ? CAUSES[err.code] : undefined;
      if (!mapped) throw err;
      if (err instanceof TokenException && err.headers['retry-after']) void reply.header('retry-after', err.headers['retry-after']);
      this.logger.log({ cause: mapped.cause }, 'authtoken refused');
      return this.send(reply, mapped.status, legacyFailure(mapped.cause));
    }
  }

  /** Answers here are 200 whether or not the action happened, so the audit entry is written where it did. */
  private async record(req: FastifyRequest, action: string, tokenId: string, actor: AuditActor): Promise<void> {
    await this.audit
      .record({ action, actor, ip: req.ip, targetType: 'token', targetId: tokenId, correlationId: req.id })
      .catch((err: unknown) => this.logger.error({ err, action }, 'could not write an audit entry'));
  }

  private passwordInUrl(reply: FastifyReply) {
    return this.send(reply, 403, legacyFailure('PASSWORD_IN_URL_NOT_ALLOWED'));
  }

  private send(reply: FastifyReply, status: number, body: string) {
    return reply.status(status).type('text/plain; charset=utf-8').header('cache-control', 'no-store').send(body);
  }
}
