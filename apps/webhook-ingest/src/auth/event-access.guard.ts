import { type CanActivate, type ExecutionContext, Inject, Injectable, createParamDecorator } from '@nestjs/common';
import { Headers, RpcSubjects } from '@zapgate/contracts';
import { APP_CONFIG, CommonCodes, CommonException } from '@zapgate/platform';
import type { FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import { RpcService } from '@zapgate/platform';
import type { IngestConfig } from '../ingest-config.schema';

/** Who may see events: an operator (all of them) or an application's owner (only its own). */
export type EventAccess = { role: 'operator' } | { role: 'application'; appId: string };
type AccessRequest = FastifyRequest & { eventAccess?: EventAccess };

const digest = (v: string) => createHash('sha256').update(v).digest();

/** X-Admin-Key for operators; X-Appkey with ?app_id= for an application's owner. */
@Injectable()
export class EventAccessGuard implements CanActivate {
  private readonly adminDigest: Buffer;

  constructor(
    @Inject(APP_CONFIG) config: IngestConfig,
    private readonly rpc: RpcService,
  ) {
    this.adminDigest = digest(config.ADMIN_API_KEY);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AccessRequest>();
    const adminKey = req.headers[Headers.AdminKey];
    if (typeof adminKey === 'string' && timingSafeEqual(digest(adminKey), this.adminDigest)) {
      req.eventAccess = { role: 'operator' };
      return true;
    }
    const appkey = req.headers['x-appkey'];
    const appId = (req.query as Record<string, unknown>).app_id;
    if (typeof appkey === 'string' && typeof appId === 'string') {
      const reply = await this.rpc.request(RpcSubjects.ApplicationsVerify, { appId: appId.slice(0, 64), appkey: appkey.slice(0, 512) }, { correlationId: req.id });
      if (reply.valid) {
        req.eventAccess = { role: 'application', appId: reply.application.id };
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

/** Operator-only routes (sender-verification settings). */
@Injectable()
export class AdminKeyGuard implements CanActivate {
  private readonly adminDigest: Buffer;

  constructor(@Inject(APP_CONFIG) config: IngestConfig) {
    this.adminDigest = digest(config.ADMIN_API_KEY);
  }

  canActivate(context: ExecutionContext): boolean {
    const key = context.switchToHttp().getRequest<FastifyRequest>().headers[Headers.AdminKey];
    if (typeof key === 'string' && timingSafeEqual(digest(key), this.adminDigest)) return true;
    throw new CommonException(CommonCodes.Unauthorized, 'A valid X-Admin-Key header is required.');
  }
}
