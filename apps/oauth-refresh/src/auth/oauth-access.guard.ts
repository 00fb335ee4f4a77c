import { type CanActivate, type ExecutionContext, Inject, Injectable, createParamDecorator } from '@nestjs/common';
import { APP_CONFIG, CommonCodes, CommonException, hasAdminKey, RpcService } from '@zapgate/platform';
import { presentedAppkey, verifyAppkey } from '@zapgate/token-client';
import type { FastifyRequest } from 'fastify';
import type { OAuthConfig } from '../oauth-config.schema';

/** An operator manages everything; an application's owner only the connectors of that application. */
export type OAuthAccess = { role: 'operator' } | { role: 'application'; appId: string };
type AccessRequest = FastifyRequest & { oauthAccess?: OAuthAccess };

/** X-Admin-Key, or the application's appkey (X-Appkey or ?appkey=) with ?app_id=. */
@Injectable()
export class OAuthAccessGuard implements CanActivate {
  constructor(
    private readonly rpc: RpcService,
    @Inject(APP_CONFIG) private readonly config: OAuthConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AccessRequest>();
    if (hasAdminKey(req, this.config.ADMIN_API_KEY)) {
      req.oauthAccess = { role: 'operator' };
      return true;
    }
    const appkey = presentedAppkey(req.query, req.headers);
    const appId = (req.query as Record<string, unknown>).app_id;
    if (appkey && typeof appId === 'string') {
      const application = await verifyAppkey(this.rpc, appId, appkey, req.id);
      if (application) {
        req.oauthAccess = { role: 'application', appId: application.id };
        return true;
      }
    }
    throw new CommonException(CommonCodes.Unauthorized, 'X-Admin-Key, or an appkey with ?app_id=, is required.');
  }
}

export const Access = createParamDecorator((_: unknown, ctx: ExecutionContext): OAuthAccess => {
  const access = ctx.switchToHttp().getRequest<AccessRequest>().oauthAccess;
  if (!access) throw new Error('Access used without OAuthAccessGuard');
  return access;
});

/** May this caller see things owned by `appId` (null: operator-owned)? */
export function canSee(access: OAuthAccess, appId: string | null): boolean {
  return access.role === 'operator' || access.appId === appId;
}
