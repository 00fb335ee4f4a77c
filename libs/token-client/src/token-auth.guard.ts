import { type CanActivate, type ExecutionContext, Injectable, createParamDecorator } from '@nestjs/common';
import { CommonCodes, CommonException } from '@zapgate/platform';
import type { FastifyRequest } from 'fastify';
import { extractToken } from './credential-extractor';
import { TokenVerifier, type VerifiedToken } from './token-verifier.service';

type AuthedRequest = FastifyRequest & { principal?: VerifiedToken };

/**
 * Requires a valid ZAPI key or authtoken. Unknown, revoked, expired and
 * malformed tokens all get the same 401, so a caller learns nothing about
 * which tokens exist.
 */
@Injectable()
export class TokenAuthGuard implements CanActivate {
  constructor(private readonly verifier: TokenVerifier) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthedRequest>();
    const token = extractToken({ query: request.query as Record<string, unknown>, headers: request.headers });
    if (!token) throw new CommonException(CommonCodes.Unauthorized, 'A token is required (zapikey query parameter or Authorization header).');
    const principal = await this.verifier.verify(token, { ip: request.ip, correlationId: request.id });
    if (!principal) throw new CommonException(CommonCodes.Unauthorized, 'The token is invalid, revoked or expired.');
    request.principal = principal;
    return true;
  }
}

/** The verified token of the current request; only valid behind TokenAuthGuard. */
export const Principal = createParamDecorator((_: unknown, ctx: ExecutionContext): VerifiedToken => {
  const principal = ctx.switchToHttp().getRequest<AuthedRequest>().principal;
  if (!principal) throw new Error('Principal used on a route without TokenAuthGuard');
  return principal;
});
