import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import type { ServiceName, ZapgateClientOptions } from '@zapgate/client';

/** Where each service listens when `npm start` runs the platform on this machine. */
const LOCAL_SERVICES: Record<ServiceName, string> = {
  token: 'http://127.0.0.1:3001',
  ingest: 'http://127.0.0.1:3002',
  dispatch: 'http://127.0.0.1:3003',
  oauth: 'http://127.0.0.1:3004',
};
const SERVICE_VARS: Record<ServiceName, string> = {
  token: 'ZAPGATE_TOKEN_SERVICE_URL',
  ingest: 'ZAPGATE_WEBHOOK_INGEST_URL',
  dispatch: 'ZAPGATE_MESSAGE_DISPATCH_URL',
  oauth: 'ZAPGATE_OAUTH_REFRESH_URL',
};

/** The global flags, as commander hands them over. */
export interface GlobalFlags {
  url?: string;
  adminKey?: string;
  token?: string;
  ownerKey?: string;
  stateDir?: string;
  json?: boolean;
}

const Url = z.url({ protocol: /^https?$/, error: 'must be an http or https URL' });
const ResolvedSchema = z.object({
  baseUrl: Url.optional(),
  services: z.partialRecord(z.enum(['token', 'ingest', 'dispatch', 'oauth']), Url),
  adminKey: z.string().min(1).optional(),
  token: z.string().min(1).optional(),
  ownerKey: z.string().min(1).optional(),
});

export interface CliConfig {
  client: ZapgateClientOptions;
  json: boolean;
  /** Where the admin key came from, for error messages. */
  adminKeyFrom?: string;
}

/** `.zapgate/local.env` in the state dir given, or in this folder or the nearest one above that has it. */
function localEnvFile(stateDir: string | undefined, cwd: string): string | undefined {
  if (stateDir) return join(resolve(cwd, stateDir), 'local.env');
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const file = join(dir, '.zapgate', 'local.env');
    if (existsSync(file)) return file;
    if (dirname(dir) === dir) return undefined;
  }
}

function readEnvFile(file: string | undefined): Record<string, string> {
  if (!file || !existsSync(file)) return {};
  return Object.fromEntries(
    readFileSync(file, 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#') && line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

/**
 * Flags first, then ZAPGATE_* variables, then `.zapgate/local.env` (the secrets `npm start`
 * made), then the local defaults. Validated once, here: a bad URL stops the command with a
 * message, before any request.
 */
export function resolveConfig(flags: GlobalFlags, env: NodeJS.ProcessEnv, cwd: string): CliConfig {
  const envFile = localEnvFile(flags.stateDir ?? env.ZAPGATE_STATE_DIR, cwd);
  const local = readEnvFile(envFile);
  const baseUrl = flags.url ?? env.ZAPGATE_URL;
  const services = Object.fromEntries(
    (Object.keys(LOCAL_SERVICES) as ServiceName[]).flatMap((s) => {
      const explicit = env[SERVICE_VARS[s]];
      if (explicit) return [[s, explicit]];
      return baseUrl ? [] : [[s, LOCAL_SERVICES[s]]];
    }),
  );
  const adminKey = flags.adminKey ?? env.ZAPGATE_ADMIN_KEY ?? local.ADMIN_API_KEY;
  const adminKeyFrom = flags.adminKey ? '--admin-key' : env.ZAPGATE_ADMIN_KEY ? 'ZAPGATE_ADMIN_KEY' : local.ADMIN_API_KEY ? envFile : undefined;
  const parsed = ResolvedSchema.safeParse({
    baseUrl,
    services,
    adminKey,
    token: flags.token ?? env.ZAPGATE_TOKEN,
    ownerKey: flags.ownerKey ?? env.ZAPGATE_OWNER_KEY,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CliUsageError(`Invalid configuration: ${issue.path.join('.')} ${issue.message}.`);
  }
  return { client: parsed.data, json: Boolean(flags.json), adminKeyFrom };
}

/** A mistake in how the command was called: printed without a stack, exit code 2. */
export class CliUsageError extends Error {
  readonly exitCode = 2;
}
