import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { CommonCodes, CommonException, OperatorVerifier, setAuditActor } from '@zapgate/platform';
import { presentedOwnerKey } from '@zapgate/token-client';
import type { FastifyRequest } from 'fastify';
import { ApplicationsService } from './applications.service';

/**
 * token-service's own check of the route's `:appId` owner key (or X-Admin-Key):
 * the other services ask it over NATS, token-service reads its table.
 */
@Injectable()
export class OwnerKeyGuard implements CanActivate {
  constructor(
    private readonly operators: OperatorVerifier,
    private readonly applications: ApplicationsService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    if (await this.operators.authorize(req)) return true;
    const ownerKey = presentedOwnerKey(req.headers);
    const appId = (req.params as Record<string, string | undefined>).appId;
    const application = ownerKey && appId ? await this.applications.authenticateOwner(appId, ownerKey) : undefined;
    if (application) {
      setAuditActor(req, { type: 'owner', id: application.id, name: application.name });
      return true;
    }
    throw new CommonException(CommonCodes.Unauthorized, "Use the application's owner key (X-Owner-Key) or X-Admin-Key; the appkey manages nothing.");
  }
}
