import { Global, Module } from '@nestjs/common';
import { OperatorVerifier } from './operator-verifier';

/** One operator-key verifier per process, for every guard that accepts X-Admin-Key. */
@Global()
@Module({ providers: [OperatorVerifier], exports: [OperatorVerifier] })
export class OperatorsModule {}
