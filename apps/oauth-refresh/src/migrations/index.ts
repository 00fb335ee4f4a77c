import { ConnectorsAndConnections1795410000000 } from './1795410000000-ConnectorsAndConnections';

export const oauthMigrations = [ConnectorsAndConnections1795410000000];
