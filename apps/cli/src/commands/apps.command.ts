import { Command } from 'commander';
import type { CliContext } from '../cli-context';
import type { Column } from '../output/render';
import { limitOption, pageFlags, positiveInt, type PageFlags } from './options';
import { TOKEN_COLUMNS } from './tokens.command';

interface Application {
  id: string;
  name: string;
  owner_email: string;
  allowed_scopes: string[];
  max_tokens_per_user: number;
  created_at: string;
}

const COLUMNS: Column<Application>[] = [
  { header: 'id', value: (a) => a.id },
  { header: 'name', value: (a) => a.name },
  { header: 'owner', value: (a) => a.owner_email },
  { header: 'scopes', value: (a) => a.allowed_scopes },
  { header: 'tokens/user', value: (a) => a.max_tokens_per_user },
  { header: 'created', value: (a) => a.created_at },
];

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `zapgate apps …`: applications (extensions), their keys and their users' tokens. */
export function appsCommand(ctx: () => CliContext): Command {
  const apps = new Command('apps').description('register applications, rotate their keys, see their tokens (operator key)');
  pageFlags(limitOption(apps.command('list').description('applications, newest first'))).action(async (o: PageFlags) => {
    const c = ctx();
    c.requireAdminKey();
    c.list(await c.call(c.client.token.GET('/api/v1/admin/applications', { params: { query: { limit: o.limit, cursor: o.cursor } } })), COLUMNS);
  });
  apps
    .command('create')
    .description('register an application; its appkey and owner key are shown this once')
    .requiredOption('--name <name>')
    .requiredOption('--owner-email <email>')
    .option('--incoming-url <url>', "the extension's incoming-webhook handler")
    .option('--function-url <url>', "the extension's function/button handler")
    .option('--scope <scope>', 'a scope its tokens get (repeat for more)', collect)
    .option('--max-tokens <n>', 'tokens per user', positiveInt)
    .action(async (o: { name: string; ownerEmail: string; incomingUrl?: string; functionUrl?: string; scope?: string[]; maxTokens?: number }) => {
      const c = ctx();
      c.requireAdminKey();
      const created = await c.call(
        c.client.token.POST('/api/v1/admin/applications', {
          body: {
            name: o.name,
            owner_email: o.ownerEmail,
            handler_urls: { incoming: o.incomingUrl, function: o.functionUrl },
            allowed_scopes: o.scope,
            max_tokens_per_user: o.maxTokens ?? 5,
          },
        }),
      );
      c.show(created, 'The appkey and the owner key are shown only now: keep them.');
    });
  apps
    .command('show <appId>')
    .description('one application')
    .action(async (appId: string) => {
      const c = ctx();
      c.requireAdminKey();
      c.show(await c.call(c.client.token.GET('/api/v1/admin/applications/{appId}', { params: { path: { appId } } })));
    });
  apps
    .command('rotate-appkey <appId>')
    .description('a new appkey; the old one stops at once')
    .action(async (appId: string) => {
      const c = ctx();
      c.requireAdminKey();
      c.show(await c.call(c.client.token.POST('/api/v1/admin/applications/{appId}/appkey/rotate', { params: { path: { appId } } })), 'Shown only now.');
    });
  apps
    .command('rotate-owner-key <appId>')
    .description('a new owner key; the old one stops at once')
    .action(async (appId: string) => {
      const c = ctx();
      c.requireAdminKey();
      c.show(await c.call(c.client.token.POST('/api/v1/admin/applications/{appId}/owner-key/rotate', { params: { path: { appId } } })), 'Shown only now.');
    });
  pageFlags(limitOption(apps.command('tokens <appId>').description('the tokens its button minted for its users')))
    .option('--user <userId>')
    .option('--status <status>', 'active, revoked or expired')
    .action(async (appId: string, o: PageFlags & { user?: string; status?: 'active' | 'revoked' | 'expired' }) => {
      const c = ctx();
      c.requireAdminKey();
      const answer = await c.call(
        c.client.token.GET('/api/v1/applications/{appId}/tokens', {
          params: { path: { appId }, query: { user_id: o.user, status: o.status, limit: o.limit, cursor: o.cursor } },
        }),
      );
      c.list(answer, TOKEN_COLUMNS);
    });
  return apps;
}
