import { Command } from 'commander';
import type { CliContext } from '../cli-context';
import type { Column } from '../output/render';
import { limitOption, pageFlags, type PageFlags } from './options';

interface User {
  id: string;
  email: string;
  display_name: string;
  confirmed: boolean;
  active: boolean;
  created_at: string;
}

const COLUMNS: Column<User>[] = [
  { header: 'id', value: (u) => u.id },
  { header: 'email', value: (u) => u.email },
  { header: 'name', value: (u) => u.display_name },
  { header: 'confirmed', value: (u) => u.confirmed },
  { header: 'active', value: (u) => u.active },
  { header: 'created', value: (u) => u.created_at },
];

/** `zapgate users …`: the operator's user directory. */
export function usersCommand(ctx: () => CliContext): Command {
  const users = new Command('users').description('list, create, confirm, deactivate and reactivate users (operator key)');
  pageFlags(limitOption(users.command('list').description('users, newest first')))
    .option('--email <text>', 'only emails containing this')
    .option('--active <bool>', 'true or false')
    .action(async (o: PageFlags & { email?: string; active?: string }) => {
      const c = ctx();
      c.requireAdminKey();
      const answer = await c.call(
        c.client.token.GET('/api/v1/admin/users', {
          params: { query: { email: o.email, active: o.active as 'true' | undefined, limit: o.limit, cursor: o.cursor } },
        }),
      );
      c.list(answer, COLUMNS);
    });
  users
    .command('create')
    .description('create a user')
    .requiredOption('--email <email>')
    .requiredOption('--name <display name>')
    .option('--password <password>', 'lets them sign in (sessions, legacy authtoken API)')
    .option('--unconfirmed', 'create them unconfirmed')
    .action(async (o: { email: string; name: string; password?: string; unconfirmed?: boolean }) => {
      const c = ctx();
      c.requireAdminKey();
      c.show(
        await c.call(
          c.client.token.POST('/api/v1/admin/users', { body: { email: o.email, display_name: o.name, password: o.password, confirmed: !o.unconfirmed } }),
        ),
      );
    });
  users
    .command('show <userId>')
    .description('one user')
    .action(async (userId: string) => {
      const c = ctx();
      c.requireAdminKey();
      c.show(await c.call(c.client.token.GET('/api/v1/admin/users/{userId}', { params: { path: { userId } } })));
    });
  for (const [name, summary] of [
    ['confirm', 'confirm a registration'],
    ['deactivate', 'deactivate: every token and session of theirs stops working at once'],
    ['reactivate', 'reactivate (their old tokens stay revoked)'],
  ] as const) {
    users
      .command(`${name} <userId>`)
      .description(summary)
      .action(async (userId: string) => {
        const c = ctx();
        c.requireAdminKey();
        c.show(await c.call(c.client.token.POST(`/api/v1/admin/users/{userId}/${name}`, { params: { path: { userId } } })));
      });
  }
  return users;
}
