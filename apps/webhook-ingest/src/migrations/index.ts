import { CreateEventLog1795380000000 } from './1795380000000-CreateEventLog';

export const ingestMigrations = [CreateEventLog1795380000000];
