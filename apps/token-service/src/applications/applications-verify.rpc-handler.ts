import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { RpcSubjects, type ApplicationsVerifyReply } from '@zapgate/contracts';
import { RpcService } from '@zapgate/platform';
import { TokenException } from '../tokens/token.exception';
import type { ApplicationEntity } from './application.entity';
import { ApplicationsService } from './applications.service';

/**
 * Answers `zapgate.applications.verify.v1` (webhook-ingest checks an
 * extension's appkey with it) and `zapgate.applications.owner.verify.v1` (the
 * other services check an owner key before letting it manage the application).
 */
const view = (app: ApplicationEntity): ApplicationsVerifyReply => ({
  valid: true,
  application: { id: app.id, name: app.name, ownerEmail: app.ownerEmail, handlerUrls: app.handlerUrls },
});

@Injectable()
export class ApplicationsVerifyRpcHandler implements OnApplicationBootstrap {
  constructor(
    private readonly rpc: RpcService,
    private readonly applications: ApplicationsService,
  ) {}

  onApplicationBootstrap(): void {
    this.rpc.serve(RpcSubjects.ApplicationsVerify, 'token-service', async ({ appId, appkey }): Promise<ApplicationsVerifyReply> => {
      try {
        return view(await this.applications.authenticate(appId, appkey));
      } catch (err) {
        if (err instanceof TokenException) return { valid: false };
        throw err;
      }
    });
    this.rpc.serve(RpcSubjects.ApplicationsVerifyOwner, 'token-service', async ({ appId, ownerKey }): Promise<ApplicationsVerifyReply> => {
      const app = await this.applications.authenticateOwner(appId, ownerKey);
      return app ? view(app) : { valid: false };
    });
  }
}
