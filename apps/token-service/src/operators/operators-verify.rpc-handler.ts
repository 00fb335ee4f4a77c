import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { RpcSubjects } from '@zapgate/contracts';
import { RpcService } from '@zapgate/platform';
import { OperatorKeysService } from './operator-keys.service';

/** Answers `zapgate.operators.verify.v1`: every service's X-Admin-Key check for named keys (token-service's own too). */
@Injectable()
export class OperatorsVerifyRpcHandler implements OnApplicationBootstrap {
  constructor(
    private readonly rpc: RpcService,
    private readonly keys: OperatorKeysService,
  ) {}

  onApplicationBootstrap(): void {
    this.rpc.serve(RpcSubjects.OperatorsVerify, 'token-service', async ({ key }) => {
      const operator = await this.keys.verify(key);
      return operator ? { valid: true, operator } : { valid: false };
    });
  }
}
