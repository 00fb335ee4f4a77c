import { CreateUsersAndTokens1795376943016 } from './1795376943016-CreateUsersAndTokens';
import { TokenLifecycle1795378500000 } from './1795378500000-TokenLifecycle';
import { UsageReportsAndDeadLetters1796100000000 } from './1796100000000-UsageReportsAndDeadLetters';
import { ApplicationOwnerKeys1796200000000 } from './1796200000000-ApplicationOwnerKeys';
import { ExplicitScopes1796300000000 } from './1796300000000-ExplicitScopes';
import { OperatorKeys1796400000000 } from './1796400000000-OperatorKeys';
import { AuditLog1796500000000 } from './1796500000000-AuditLog';
import { DeadLetterRetry1796800000000 } from './1796800000000-DeadLetterRetry';

/** In order of application; TypeORM records each by name in "token"."migrations". */
export const tokenMigrations = [
  CreateUsersAndTokens1795376943016,
  TokenLifecycle1795378500000,
  UsageReportsAndDeadLetters1796100000000,
  ApplicationOwnerKeys1796200000000,
  ExplicitScopes1796300000000,
  OperatorKeys1796400000000,
  AuditLog1796500000000,
  DeadLetterRetry1796800000000,
];
