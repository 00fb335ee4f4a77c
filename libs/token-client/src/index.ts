export * from './token-format';
export * from './credential-extractor';
export * from './token-verifier.service';
export * from './token-auth.guard';
export * from './token-client.module';
export * from './appkey-verifier';
export * from './owner-access.guard';
export * from './appkey.guard';
