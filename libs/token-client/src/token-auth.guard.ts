import { type CanActivate, type ExecutionContext, Injectable, createParamDecorator } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { grantsScope, type Scope } from '@zapgate/contracts';
import { CommonCodes, CommonException, setAuditActor } from '@zapgate/platform';
import type { FastifyRequest } from 'fastify';
import { extractToken } from './credential-extractor';
import { REQUIRED_SCOPE } from './require-scope.decorator';
import { TokenVerifier, type VerifiedToken } from './token-verifier.service';

type AuthedRequest = FastifyRequest & { principal?: VerifiedToken };

/**
 * Requires a valid ZAPI key or authtoken holding the route's scope. Unknown,
 * revoked, expired and malformed tokens all get the same 401, so a caller
 * learns nothing about which tokens exist; a valid token without the scope
 * gets 403 `insufficient_scope` naming it (and RFC 6750's WWW-Authenticate).
 */
@Injectable()
export class TokenAuthGuard implements CanActivate {
  constructor(
    private readonly verifier: TokenVerifier,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const required = this.reflector.getAllAndOverride<Scope | undefined>(REQUIRED_SCOPE, [context.getHandler(), context.getClass()]);
    // Fail closed: a route behind this guard that names no scope is a programming error, not an open door.
    if (!required) throw new Error(`${context.getClass().name}.${context.getHandler().name} uses TokenAuthGuard without @RequireScope`);
    const request = context.switchToHttp().getRequest<AuthedRequest>();
    const token = extractToken({ query: request.query as Record<string, unknown>, headers: request.headers });
    if (!token) throw new CommonException(CommonCodes.Unauthorized, 'A token is required (zapikey query parameter or Authorization header).');
    const principal = await this.verifier.verify(token, { ip: request.ip, correlationId: request.id });
    if (!principal) throw new CommonException(CommonCodes.Unauthorized, 'The token is invalid, revoked or expired.');
    if (!grantsScope(principal.scopes, required)) {
      const refused = new CommonException(CommonCodes.InsufficientScope, `This token was not granted the scope ${required}.`, [
        { path: 'scope', message: required },
      ]);
      refused.headers['www-authenticate'] = `Bearer error="insufficient_scope", scope="${required}"`;
      throw refused;
    }
    request.principal = principal;
    setAuditActor(request, { type: 'user', id: principal.userId, name: `token ${principal.tokenId}` });
    return true;
  }
}

/** The verified token of the current request; only valid behind TokenAuthGuard. */
export const Principal = createParamDecorator((_: unknown, ctx: ExecutionContext): VerifiedToken => {
  const principal = ctx.switchToHttp().getRequest<AuthedRequest>().principal;
  if (!principal) throw new Error('Principal used on a route without TokenAuthGuard');
  return principal;
});
