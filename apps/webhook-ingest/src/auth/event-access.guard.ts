import { type CanActivate, type ExecutionContext, Inject, Injectable, createParamDecorator } from '@nestjs/common';
import { APP_CONFIG, CommonCodes, CommonException, hasAdminKey, RpcService } from '@zapgate/platform';
import { verifyAppkey } from '@zapgate/token-client';
import type { FastifyRequest } from 'fastify';
import type { IngestConfig } from '../ingest-config.schema';

/** Who may see events: an operator (all of them) or an application's owner (only its own). */
export type EventAccess = { role: 'operator' } | { role: 'application'; appId: string };
type AccessRequest = FastifyRequest & { eventAccess?: EventAccess };

/** X-Admin-Key for operators; X-Appkey with ?app_id= for an application's owner. */
@Injectable()
export class EventAccessGuard implements CanActivate {
  constructor(
    @Inject(APP_CONFIG) private readonly config: IngestConfig,
    private readonly rpc: RpcService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AccessRequest>();
    if (hasAdminKey(req, this.config.ADMIN_API_KEY)) {
      req.eventAccess = { role: 'operator' };
      return true;
    }
    const appkey = req.headers['x-appkey'];
    const appId = (req.query as Record<string, unknown>).app_id;
    if (typeof appkey === 'string' && typeof appId === 'string') {
      const application = await verifyAppkey(this.rpc, appId, appkey, req.id);
      if (application) {
        req.eventAccess = { role: 'application', appId: application.id };
        return true;
      }
    }
    throw new CommonException(CommonCodes.Unauthorized, 'Use X-Admin-Key, or X-Appkey with ?app_id= for your application’s events.');
  }
}

export const Access = createParamDecorator((_: unknown, ctx: ExecutionContext): EventAccess => {
  const access = ctx.switchToHttp().getRequest<AccessRequest>().eventAccess;
  if (!access) throw new Error('Access used without EventAccessGuard');
  return access;
});
