import { type CanActivate, type ExecutionContext, Injectable, createParamDecorator } from '@nestjs/common';
import { CommonCodes, CommonException, OperatorVerifier, setAuditActor } from '@zapgate/platform';
import type { FastifyRequest } from 'fastify';
import { AppkeyVerifier, presentedAppkey, presentedOwnerKey } from './appkey-verifier';

/** An operator sees everything; an application's owner only what belongs to that application. */
export type OwnerAccess = { role: 'operator' } | { role: 'application'; appId: string };
type AccessRequest = FastifyRequest & { ownerAccess?: OwnerAccess };

/**
 * X-Admin-Key for operators (within their key's role); an application's owner key (X-Owner-Key) with the
 * application named by the route's `:appId` or by `?app_id=`. The appkey is
 * refused here on purpose: every user of an extension sees it in the webhook
 * URL, so it identifies the application and manages nothing.
 */
@Injectable()
export class OwnerAccessGuard implements CanActivate {
  constructor(
    private readonly operators: OperatorVerifier,
    private readonly appkeys: AppkeyVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AccessRequest>();
    if (await this.operators.authorize(req)) {
      req.ownerAccess = { role: 'operator' };
      return true;
    }
    const ownerKey = presentedOwnerKey(req.headers);
    const appId = (req.params as Record<string, string | undefined>).appId ?? (req.query as Record<string, unknown>).app_id;
    if (ownerKey && typeof appId === 'string') {
      const application = await this.appkeys.verifyOwner(appId, ownerKey, req.id);
      if (application) {
        req.ownerAccess = { role: 'application', appId: application.id };
        setAuditActor(req, { type: 'owner', id: application.id, name: application.name });
        return true;
      }
    }
    if (!ownerKey && presentedAppkey(req.query, req.headers)) {
      throw new CommonException(
        CommonCodes.Unauthorized,
        'The appkey only identifies an application on its webhook URLs; manage it with its owner key (X-Owner-Key) or X-Admin-Key.',
      );
    }
    throw new CommonException(CommonCodes.Unauthorized, "Use X-Admin-Key, or your application's owner key (X-Owner-Key) with the application id.");
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
