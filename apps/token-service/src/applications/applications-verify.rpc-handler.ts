import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { RpcSubjects, type ApplicationsVerifyReply } from '@zapgate/contracts';
import { RpcService } from '@zapgate/platform';
import { TokenException } from '../tokens/token.exception';
import { ApplicationsService } from './applications.service';

/** Answers `zapgate.applications.verify.v1`: webhook-ingest checks an extension's appkey with it. */
@Injectable()
export class ApplicationsVerifyRpcHandler implements OnApplicationBootstrap {
  constructor(
    private readonly rpc: RpcService,
    private readonly applications: ApplicationsService,
  ) {}

  onApplicationBootstrap(): void {
    this.rpc.serve(RpcSubjects.ApplicationsVerify, 'token-service', async ({ appId, appkey }): Promise<ApplicationsVerifyReply> => {
      try {
        const app = await this.applications.authenticate(appId, appkey);
        return { valid: true, application: { id: app.id, name: app.name, ownerEmail: app.ownerEmail, handlerUrls: app.handlerUrls } };
      } catch (err) {
        if (err instanceof TokenException) return { valid: false };
        throw err;
      }
    });
  }
}
