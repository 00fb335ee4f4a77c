import { CreateEventLog1795380000000 } from './1795380000000-CreateEventLog';
import { EventOutcome1795400000000 } from './1795400000000-EventOutcome';
import { DeadLetters1796000000000 } from './1796000000000-DeadLetters';
import { AuditLog1796500000000 } from './1796500000000-AuditLog';
import { DeadLetterRetry1796800000000 } from './1796800000000-DeadLetterRetry';
import { Retention1796900000000 } from './1796900000000-Retention';
import { SharedRateWindows1797400000000 } from './1797400000000-SharedRateWindows';

export const ingestMigrations = [
  CreateEventLog1795380000000,
  EventOutcome1795400000000,
  DeadLetters1796000000000,
  AuditLog1796500000000,
  DeadLetterRetry1796800000000,
  Retention1796900000000,
  SharedRateWindows1797400000000,
];
