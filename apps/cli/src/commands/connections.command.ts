import { Command } from 'commander';
import type { CliContext } from '../cli-context';
import type { Column } from '../output/render';

interface Connection {
  id: string;
  connector_id: string;
  user: string;
  status: string;
  expires_at: string | null;
  next_refresh_at: string | null;
  failures: number;
}

interface Connector {
  id: string;
  name: string;
  preset: string;
  app_id: string | null;
  scopes: string[];
  created_at: string;
}

const COLUMNS: Column<Connection>[] = [
  { header: 'id', value: (c) => c.id },
  { header: 'connector', value: (c) => c.connector_id },
  { header: 'user', value: (c) => c.user },
  { header: 'status', value: (c) => c.status },
  { header: 'expires', value: (c) => c.expires_at },
  { header: 'next refresh', value: (c) => c.next_refresh_at },
  { header: 'failures', value: (c) => c.failures },
];

const CONNECTOR_COLUMNS: Column<Connector>[] = [
  { header: 'id', value: (c) => c.id },
  { header: 'name', value: (c) => c.name },
  { header: 'preset', value: (c) => c.preset },
  { header: 'application', value: (c) => c.app_id },
  { header: 'scopes', value: (c) => c.scopes },
  { header: 'created', value: (c) => c.created_at },
];

/** `zapgate connections …`: OAuth connectors and the users' connections, their expiry and refreshes. */
export function connectionsCommand(ctx: () => CliContext): Command {
  const connections = new Command('connections').description('OAuth connectors and connections (operator key, or owner key)');
  connections
    .command('list')
    .description('connections')
    .option('--connector <connectorId>')
    .option('--user <userRef>')
    .option('--status <status>', 'active, reauth_required or revoked')
    .action(async (o: { connector?: string; user?: string; status?: 'active' | 'reauth_required' | 'revoked' }) => {
      const c = ctx();
      const query = { connector_id: o.connector, user: o.user, status: o.status };
      c.list(await c.call(c.client.oauth.GET('/api/v1/connections', { params: { query } })), COLUMNS);
    });
  connections
    .command('show <connectionId>')
    .description('one connection: status, expiry, next refresh, last error (never its tokens)')
    .action(async (id: string) => {
      const c = ctx();
      c.show(await c.call(c.client.oauth.GET('/api/v1/connections/{id}', { params: { path: { id } } })));
    });
  connections
    .command('refresh <connectionId>')
    .description('refresh its access token now')
    .action(async (id: string) => {
      const c = ctx();
      c.show(await c.call(c.client.oauth.POST('/api/v1/connections/{id}/refresh', { params: { path: { id } } })));
    });
  connections
    .command('connectors')
    .description('the registered OAuth clients')
    .action(async () => {
      const c = ctx();
      c.list(await c.call(c.client.oauth.GET('/api/v1/connectors')), CONNECTOR_COLUMNS);
    });
  return connections;
}
