import { type CanActivate, type ExecutionContext, Injectable, createParamDecorator } from '@nestjs/common';
import { DomainException } from '@zapgate/platform';
import type { FastifyRequest } from 'fastify';
import { AppkeyVerifier, presentedAppkey, type VerifiedApplication } from './appkey-verifier';

/** A missing appkey, or one that is not this application's: 401 `invalid_appkey` in every service. */
export class AppkeyException extends DomainException<'invalid_appkey'> {
  readonly httpStatus = 401;
  constructor(message: string) {
    super('invalid_appkey', message);
  }
}

type AppRequest = FastifyRequest & { application?: VerifiedApplication };

/** The `appkey` (query or X-Appkey) of the application the route's `:appId` names, checked by token-service. */
@Injectable()
export class AppkeyGuard implements CanActivate {
  constructor(private readonly appkeys: AppkeyVerifier) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AppRequest>();
    const appId = (req.params as Record<string, string>).appId ?? '';
    const appkey = presentedAppkey(req.query, req.headers);
    if (!appkey) throw new AppkeyException('The appkey is required.');
    const application = await this.appkeys.verify(appId, appkey, req.id);
    if (!application) throw new AppkeyException('The appkey does not belong to this application.');
    req.application = application;
    return true;
  }
}

export const CurrentApplication = createParamDecorator((_: unknown, ctx: ExecutionContext): VerifiedApplication => {
  const application = ctx.switchToHttp().getRequest<AppRequest>().application;
  if (!application) throw new Error('CurrentApplication used without AppkeyGuard');
  return application;
});
