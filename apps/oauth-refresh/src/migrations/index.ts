import { ConnectorsAndConnections1795410000000 } from './1795410000000-ConnectorsAndConnections';
import { AuditLog1796500000000 } from './1796500000000-AuditLog';
import { DeadLetters1797000000000 } from './1797000000000-DeadLetters';

export const oauthMigrations = [ConnectorsAndConnections1795410000000, AuditLog1796500000000, DeadLetters1797000000000];
