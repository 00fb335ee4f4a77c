import { type CanActivate, type ExecutionContext, Injectable, createParamDecorator } from '@nestjs/common';
import { setAuditActor } from '@zapgate/platform';
import type { FastifyRequest } from 'fastify';
import { TokenErrorCodes, TokenException } from '../tokens/token.exception';
import type { SessionEntity } from './session.entity';
import { SessionsService } from './sessions.service';

type SessionRequest = FastifyRequest & { session?: SessionEntity };

/** Management routes: `Authorization: Bearer zses_…` from POST /api/v1/sessions. */
@Injectable()
export class SessionGuard implements CanActivate {
  constructor(private readonly sessions: SessionsService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<SessionRequest>();
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    const session = match ? await this.sessions.resolve(match[1]) : undefined;
    if (!session) {
      const hint = request.headers['x-admin-key'] ? ' Operators manage any token under /api/v1/admin/tokens.' : '';
      throw new TokenException(TokenErrorCodes.SessionRequired, `Sign in first: Authorization: Bearer <session token>.${hint}`);
    }
    request.session = session;
    setAuditActor(request, { type: 'user', id: session.userId, name: 'session' });
    return true;
  }
}

export const CurrentSession = createParamDecorator((_: unknown, ctx: ExecutionContext): SessionEntity => {
  const session = ctx.switchToHttp().getRequest<SessionRequest>().session;
  if (!session) throw new Error('CurrentSession used on a route without SessionGuard');
  return session;
});
