import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { RpcSubjects } from '@zapgate/contracts';
import { RpcService } from '@zapgate/platform';
import { TokensService } from './tokens.service';

/** Answers `zapgate.tokens.verify.v1` for webhook-ingest, message-dispatch and any other caller. */
@Injectable()
export class VerifyRpcHandler implements OnApplicationBootstrap {
  constructor(
    private readonly rpc: RpcService,
    private readonly tokens: TokensService,
  ) {}

  onApplicationBootstrap(): void {
    this.rpc.serve(RpcSubjects.TokensVerify, 'token-service', (request) => this.tokens.verify(request.token, request.ip));
  }
}
