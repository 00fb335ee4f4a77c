import type { TokenView } from '@zapgate/client';
import { Command } from 'commander';
import type { CliContext } from '../cli-context';
import type { Column } from '../output/render';
import { limitOption, pageFlags, type PageFlags } from './options';

export const TOKEN_COLUMNS: Column<TokenView>[] = [
  { header: 'id', value: (t) => t.id },
  { header: 'name', value: (t) => t.name },
  { header: 'status', value: (t) => t.status },
  { header: 'token', value: (t) => `${t.prefix}…${t.last4}` },
  { header: 'scopes', value: (t) => t.scopes },
  { header: 'created', value: (t) => t.created_at },
  { header: 'last used', value: (t) => t.last_used_at },
  { header: 'last ip', value: (t) => t.last_used_ip },
  { header: 'expires', value: (t) => t.expires_at },
];

const collect = (value: string, previous: string[] = []) => [...previous, value];
type Status = 'active' | 'revoked' | 'expired';

/** `zapgate tokens …`: every token, for operators. */
export function tokensCommand(ctx: () => CliContext): Command {
  const tokens = new Command('tokens').description('list, create, revoke and rotate tokens, and count their use (operator key)');
  pageFlags(limitOption(tokens.command('list').description('tokens, newest first')))
    .option('--user <userId>')
    .option('--app <appId>')
    .option('--status <status>', 'active, revoked or expired')
    .option('--kind <kind>', 'zapikey or authtoken')
    .action(async (o: PageFlags & { user?: string; app?: string; status?: Status; kind?: 'zapikey' | 'authtoken' }) => {
      const c = ctx();
      c.requireAdminKey();
      const query = { user_id: o.user, application_id: o.app, status: o.status, kind: o.kind, limit: o.limit, cursor: o.cursor };
      c.list(await c.call(c.client.token.GET('/api/v1/admin/tokens', { params: { query } })), TOKEN_COLUMNS);
    });
  tokens
    .command('create')
    .description('mint a ZAPI key for a user; the secret is shown this once')
    .requiredOption('--user <userId>')
    .requiredOption('--name <name>')
    .option('--scope <scope>', 'a scope (repeat for more; default: webhooks)', collect)
    .action(async (o: { user: string; name: string; scope?: string[] }) => {
      const c = ctx();
      c.requireAdminKey();
      const minted = await c.call(
        c.client.token.POST('/api/v1/admin/users/{userId}/tokens', { params: { path: { userId: o.user } }, body: { name: o.name, scopes: o.scope } }),
      );
      c.show(minted, 'The token is shown only now: keep it.');
    });
  tokens
    .command('show <tokenId>')
    .description("one token's metadata")
    .action(async (id: string) => {
      const c = ctx();
      c.requireAdminKey();
      c.show(await c.call(c.client.token.GET('/api/v1/admin/tokens/{id}', { params: { path: { id } } })));
    });
  tokens
    .command('revoke <tokenId>')
    .description('revoke: it stops working at once')
    .action(async (id: string) => {
      const c = ctx();
      c.requireAdminKey();
      await c.call(c.client.token.DELETE('/api/v1/admin/tokens/{id}', { params: { path: { id } } }));
      c.say(`Revoked ${id}.`);
      if (c.config.json) c.show({ id, status: 'revoked' });
    });
  tokens
    .command('rotate <tokenId>')
    .description('a new secret; the old one keeps working for --grace seconds')
    .option('--grace <seconds>', 'how long the old secret keeps working', (v) => Number(v), 0)
    .action(async (id: string, o: { grace: number }) => {
      const c = ctx();
      c.requireAdminKey();
      const rotated = await c.call(
        c.client.token.POST('/api/v1/admin/tokens/{id}/rotate', { params: { path: { id } }, body: { grace_period_seconds: o.grace } }),
      );
      c.show(rotated, 'The new token is shown only now: keep it.');
    });
  tokens
    .command('usage <tokenId>')
    .description('hourly use over --window 24h|7d|30d, or --from/--to (ISO 8601)')
    .option('--window <window>', '24h, 7d or 30d')
    .option('--from <time>')
    .option('--to <time>')
    .action(async (id: string, o: { window?: '24h' | '7d' | '30d'; from?: string; to?: string }) => {
      const c = ctx();
      c.requireAdminKey();
      const usage = await c.call(c.client.token.GET('/api/v1/admin/tokens/{id}/usage', { params: { path: { id }, query: o } }));
      if (c.config.json) return c.show(usage);
      c.list({ data: usage.buckets.filter((b) => b.count > 0) }, [
        { header: 'hour', value: (b) => b.hour },
        { header: 'requests', value: (b) => b.count },
      ]);
      c.say(`total ${usage.total} from ${usage.from} to ${usage.to}`);
    });
  return tokens;
}
