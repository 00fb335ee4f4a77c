import { type CanActivate, type ExecutionContext, Injectable, createParamDecorator } from '@nestjs/common';
import { RpcService } from '@zapgate/platform';
import { presentedAppkey, verifyAppkey, type VerifiedApplication } from '@zapgate/token-client';
import type { FastifyRequest } from 'fastify';
import { IngestErrorCodes, IngestException } from '../ingest/ingest.exception';

export type { VerifiedApplication };
type AppRequest = FastifyRequest & { application?: VerifiedApplication };

/** The extension endpoint's mandatory `appkey` (query or X-Appkey), checked by token-service. */
@Injectable()
export class AppkeyGuard implements CanActivate {
  constructor(private readonly rpc: RpcService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AppRequest>();
    const appId = (req.params as Record<string, string>).appId ?? '';
    const appkey = presentedAppkey(req.query, req.headers);
    if (!appkey) throw new IngestException(IngestErrorCodes.InvalidAppkey, 'The appkey is required.');
    const application = await verifyAppkey(this.rpc, appId, appkey, req.id);
    if (!application) throw new IngestException(IngestErrorCodes.InvalidAppkey, 'The appkey does not belong to this application.');
    req.application = application;
    return true;
  }
}

export const CurrentApplication = createParamDecorator((_: unknown, ctx: ExecutionContext): VerifiedApplication => {
  const application = ctx.switchToHttp().getRequest<AppRequest>().application;
  if (!application) throw new Error('CurrentApplication used without AppkeyGuard');
  return application;
});
