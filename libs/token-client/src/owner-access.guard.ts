import { type CanActivate, type ExecutionContext, Inject, Injectable, createParamDecorator } from '@nestjs/common';
import { APP_CONFIG, CommonCodes, CommonException, hasAdminKey } from '@zapgate/platform';
import type { FastifyRequest } from 'fastify';
import { AppkeyVerifier, presentedAppkey } from './appkey-verifier';

/** An operator sees everything; an application's owner only what belongs to that application. */
export type OwnerAccess = { role: 'operator' } | { role: 'application'; appId: string };
type AccessRequest = FastifyRequest & { ownerAccess?: OwnerAccess };

/** X-Admin-Key for operators; the appkey (X-Appkey or ?appkey=) with ?app_id= for an application's owner. */
@Injectable()
export class OwnerAccessGuard implements CanActivate {
  constructor(
    @Inject(APP_CONFIG) private readonly config: { ADMIN_API_KEY: string },
    private readonly appkeys: AppkeyVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AccessRequest>();
    if (hasAdminKey(req, this.config.ADMIN_API_KEY)) {
      req.ownerAccess = { role: 'operator' };
      return true;
    }
    const appkey = presentedAppkey(req.query, req.headers);
    const appId = (req.query as Record<string, unknown>).app_id;
    if (appkey && typeof appId === 'string') {
      const application = await this.appkeys.verify(appId, appkey, req.id);
      if (application) {
        req.ownerAccess = { role: 'application', appId: application.id };
        return true;
      }
    }
    throw new CommonException(CommonCodes.Unauthorized, 'Use X-Admin-Key, or your appkey (X-Appkey) with ?app_id= of your application.');
  }
}

export const Access = createParamDecorator((_: unknown, ctx: ExecutionContext): OwnerAccess => {
  const access = ctx.switchToHttp().getRequest<AccessRequest>().ownerAccess;
  if (!access) throw new Error('Access used without OwnerAccessGuard');
  return access;
});

/** May this caller see something owned by `appId` (null: owned by the operator)? */
export function canSee(access: OwnerAccess, appId: string | null): boolean {
  return access.role === 'operator' || access.appId === appId;
}
