export * from './operator-verifier';
export * from './operators.module';
