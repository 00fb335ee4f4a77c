import { CreateEventLog1795380000000 } from './1795380000000-CreateEventLog';
import { EventOutcome1795400000000 } from './1795400000000-EventOutcome';

export const ingestMigrations = [CreateEventLog1795380000000, EventOutcome1795400000000];
