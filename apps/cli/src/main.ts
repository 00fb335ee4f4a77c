#!/usr/bin/env node
import { ZapgateApiError } from '@zapgate/client';
import { Command, CommanderError } from 'commander';
import { CliContext } from './cli-context';
import { appsCommand } from './commands/apps.command';
import { connectionsCommand } from './commands/connections.command';
import { deliveriesCommand } from './commands/deliveries.command';
import { eventsCommand } from './commands/events.command';
import { tokensCommand } from './commands/tokens.command';
import { usersCommand } from './commands/users.command';
import { CliUsageError, resolveConfig, type GlobalFlags } from './config/cli-config';

/** The program; `argv` and the streams are parameters so that tests run it in-process as well. */
export function buildProgram(env: NodeJS.ProcessEnv, out: (s: string) => void, err: (s: string) => void): Command {
  const program = new Command('zapgate')
    .description(
      'Zapgate from a terminal: users, applications, tokens, events, dead letters, OAuth connections.\nReads the URL and keys from flags, ZAPGATE_* variables, or .zapgate/local.env.',
    )
    .option('--url <url>', 'one origin for every API (a gateway); else ZAPGATE_URL, else the local services on 3001–3004')
    .option('--admin-key <key>', 'operator key; else ZAPGATE_ADMIN_KEY, else ADMIN_API_KEY in .zapgate/local.env')
    .option('--owner-key <key>', "an application's owner key; else ZAPGATE_OWNER_KEY")
    .option('--token <token>', 'a session token or ZAPI key; else ZAPGATE_TOKEN')
    .option('--state-dir <dir>', 'where local.env is (default: the nearest .zapgate folder)')
    .option('--json', 'print the API answers as JSON, for scripts')
    .showHelpAfterError()
    .configureOutput({ writeOut: out, writeErr: err })
    .exitOverride();
  let context: CliContext | undefined;
  const ctx = () => (context ??= new CliContext(resolveConfig(program.opts<GlobalFlags>(), env, process.cwd()), out, err));
  for (const make of [usersCommand, appsCommand, tokensCommand, eventsCommand, deliveriesCommand, connectionsCommand]) program.addCommand(make(ctx));
  // addCommand does not hand settings down: every command throws instead of exiting, and writes where the program does.
  const inherit = (parent: Command) =>
    parent.commands.forEach((child) => {
      child.copyInheritedSettings(parent);
      inherit(child);
    });
  inherit(program);
  return program;
}

/** Runs one command line; answers the exit code (0 done, 1 refused or failed, 2 misused). */
export async function run(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const out = (s: string) => void process.stdout.write(s);
  const err = (s: string) => void process.stderr.write(s);
  try {
    await buildProgram(env, out, err).parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof CliUsageError) return (err(`zapgate: ${e.message}\n`), e.exitCode);
    if (e instanceof ZapgateApiError) {
      err(`zapgate: ${e.message} (${e.status} ${e.code})\n`);
      const details = Array.isArray(e.details) ? (e.details as { path?: string; message?: string }[]) : [];
      for (const d of details) err(`  ${d.path ?? ''}: ${d.message ?? ''}\n`);
      return 1;
    }
    const cause = (e as { cause?: { code?: string } }).cause;
    if (e instanceof TypeError && cause?.code === 'ECONNREFUSED') {
      return (err('zapgate: no Zapgate answers at that URL. Is it running (npm start)? Set --url or ZAPGATE_URL otherwise.\n'), 1);
    }
    err(`zapgate: ${(e as Error).message}\n`);
    return 1;
  }
}

if (require.main === module) {
  void run(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
