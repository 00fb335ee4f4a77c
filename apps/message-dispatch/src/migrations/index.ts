import { CreateChannelsAndMessages1795377300000 } from './1795377300000-CreateChannelsAndMessages';
import { GeneraliseTargets1795380600000 } from './1795380600000-GeneraliseTargets';
import { MembersHandlersAndDelivery1795400000000 } from './1795400000000-MembersHandlersAndDelivery';
import { DeadLettersPerConsumer1796000000000 } from './1796000000000-DeadLettersPerConsumer';
import { AuditLog1796500000000 } from './1796500000000-AuditLog';
import { StrictOrdering1796600000000 } from './1796600000000-StrictOrdering';
import { MessageReplayOf1796700000000 } from './1796700000000-MessageReplayOf';
import { DeadLetterRetry1796800000000 } from './1796800000000-DeadLetterRetry';
import { SubscriptionFilters1796900000000 } from './1796900000000-SubscriptionFilters';
import { SubscriptionEndpointAuth1797000000000 } from './1797000000000-SubscriptionEndpointAuth';
import { Retention1797100000000 } from './1797100000000-Retention';
import { OperationalWebhooks1797200000000 } from './1797200000000-OperationalWebhooks';
import { SubscriptionTargets1797300000000 } from './1797300000000-SubscriptionTargets';
import { SharedRateWindows1797400000000 } from './1797400000000-SharedRateWindows';

export const dispatchMigrations = [
  CreateChannelsAndMessages1795377300000,
  GeneraliseTargets1795380600000,
  MembersHandlersAndDelivery1795400000000,
  DeadLettersPerConsumer1796000000000,
  AuditLog1796500000000,
  StrictOrdering1796600000000,
  MessageReplayOf1796700000000,
  DeadLetterRetry1796800000000,
  SubscriptionFilters1796900000000,
  SubscriptionEndpointAuth1797000000000,
  Retention1797100000000,
  OperationalWebhooks1797200000000,
  SubscriptionTargets1797300000000,
  SharedRateWindows1797400000000,
];
