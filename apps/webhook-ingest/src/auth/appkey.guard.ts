import { type CanActivate, type ExecutionContext, Injectable, createParamDecorator } from '@nestjs/common';
import { RpcSubjects, type ApplicationsVerifyReply } from '@zapgate/contracts';
import { RpcService } from '@zapgate/platform';
import type { FastifyRequest } from 'fastify';
import { IngestErrorCodes, IngestException } from '../ingest/ingest.exception';

export type VerifiedApplication = Extract<ApplicationsVerifyReply, { valid: true }>['application'];
type AppRequest = FastifyRequest & { application?: VerifiedApplication };

/** Asks token-service whether `appkey` belongs to application `appId`; the application, or undefined. */
export async function verifyAppkey(rpc: RpcService, appId: string, appkey: string, correlationId?: string): Promise<VerifiedApplication | undefined> {
  const reply = await rpc.request(RpcSubjects.ApplicationsVerify, { appId: appId.slice(0, 64), appkey: appkey.slice(0, 512) }, { correlationId });
  return reply.valid ? reply.application : undefined;
}

/** The extension endpoint's mandatory `appkey` (query or X-Appkey), checked by token-service. */
@Injectable()
export class AppkeyGuard implements CanActivate {
  constructor(private readonly rpc: RpcService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AppRequest>();
    const appId = (req.params as Record<string, string>).appId ?? '';
    const query = req.query as Record<string, unknown>;
    const appkey = typeof query.appkey === 'string' ? query.appkey : req.headers['x-appkey'];
    if (typeof appkey !== 'string' || !appkey) throw new IngestException(IngestErrorCodes.InvalidAppkey, 'The appkey is required.');
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
