import { execFile } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ADMIN_KEY, startPlatform, type Platform } from './platform-env';

const BIN = resolve(__dirname, '../apps/cli/bin/zapgate.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('the zapgate CLI against the running services', () => {
  let platform: Platform;
  let home: string;
  let env: NodeJS.ProcessEnv;

  /** One command line, as a user types it, in a folder whose .zapgate/local.env holds the admin key (as npm start leaves it). */
  const zapgate = (args: string[], extraEnv: NodeJS.ProcessEnv = {}, cwd = home): Promise<Run> =>
    new Promise((done) => {
      execFile(process.execPath, [BIN, ...args], { cwd, env: { ...env, ...extraEnv }, timeout: 30_000 }, (error, stdout, stderr) =>
        done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  const json = async (args: string[]) => {
    const run = await zapgate(['--json', ...args]);
    expect({ args, code: run.code, stderr: run.stderr }).toEqual({ args, code: 0, stderr: '' });
    return JSON.parse(run.stdout);
  };

  beforeAll(async () => {
    platform = await startPlatform('cli');
    home = mkdtempSync(join(tmpdir(), 'zapgate-cli-'));
    mkdirSync(join(home, '.zapgate'));
    writeFileSync(join(home, '.zapgate', 'local.env'), `ADMIN_API_KEY=${ADMIN_KEY}\nTOKEN_PEPPER=unused\n`);
    mkdirSync(join(home, 'project', 'deeper'), { recursive: true });
    const { token, ingest, dispatch, oauth } = platform.services;
    // Only the services' URLs come from the environment: the key is found in .zapgate/local.env.
    env = {
      PATH: process.env.PATH,
      ZAPGATE_TOKEN_SERVICE_URL: token.baseUrl,
      ZAPGATE_WEBHOOK_INGEST_URL: ingest.baseUrl,
      ZAPGATE_MESSAGE_DISPATCH_URL: dispatch.baseUrl,
      ZAPGATE_OAUTH_REFRESH_URL: oauth.baseUrl,
    };
  });

  afterAll(async () => {
    await platform?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('manages users, tokens and events: tables for people, --json for scripts', async () => {
    const user = await json(['users', 'create', '--email', 'cli@example.com', '--name', 'CLI User']);
    expect(user).toMatchObject({ email: 'cli@example.com', active: true });

    // The table is found from a folder below the one holding .zapgate/.
    const table = await zapgate(['users', 'list', '--email', 'cli@'], {}, join(home, 'project', 'deeper'));
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+EMAIL\s+NAME\s+CONFIRMED\s+ACTIVE\s+CREATED$/);
    expect(table.stdout).toContain('cli@example.com');

    const minted = await json(['tokens', 'create', '--user', user.id, '--name', 'laptop']);
    expect(minted.token).toMatch(/^zapk_/);
    const shown = await zapgate(['tokens', 'show', minted.id]);
    expect(shown.stdout).toContain('laptop');
    expect(shown.stdout).not.toContain(minted.token);

    const posted = await fetch(`${platform.services.ingest.baseUrl}/api/v2/channelsbyname/general/message?zapikey=${minted.token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'from the CLI test' }),
    });
    expect(posted.status).toBe(204);
    const eventId = posted.headers.get('x-zapgate-event-id');

    const events = await json(['events', 'list', '--limit', '10']);
    expect(events.data.map((e: { event_id: string }) => e.event_id)).toContain(eventId);
    const event = await json(['events', 'show', eventId!]);
    expect(event).toMatchObject({ event_id: eventId, source: 'channel-post', message: { text: 'from the CLI test' } });

    // Usage is counted exactly; its flush to the database is asynchronous, so wait for it.
    let usage: { total: number } = { total: 0 };
    for (let i = 0; i < 100 && usage.total < 1; i++) {
      usage = await json(['tokens', 'usage', minted.id, '--window', '24h']);
      if (usage.total < 1) await new Promise((r) => setTimeout(r, 200));
    }
    expect(usage.total).toBe(1);

    const revoked = await zapgate(['tokens', 'revoke', minted.id]);
    expect(revoked).toMatchObject({ code: 0, stdout: `Revoked ${minted.id}.\n` });
    const list = await json(['tokens', 'list', '--user', user.id, '--status', 'revoked']);
    expect(list.data.map((t: { id: string }) => t.id)).toEqual([minted.id]);
    const refused = await fetch(`${platform.services.ingest.baseUrl}/api/v2/channelsbyname/general/message?zapikey=${minted.token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"text":"after revoke"}',
    });
    expect(refused.status).toBe(401);
  });

  it('follows new events with tail, oldest first, and stops after --count', async () => {
    const user = await json(['users', 'create', '--email', 'tail@example.com', '--name', 'Tail']);
    const { token } = await json(['tokens', 'create', '--user', user.id, '--name', 'tail']);
    const tail = zapgate(['--json', 'events', 'tail', '--count', '3', '--interval', '200']);
    // The tail starts from "now": give it a moment to take its starting point.
    await new Promise((r) => setTimeout(r, 1500));
    const ids: string[] = [];
    for (const text of ['one', 'two', 'three']) {
      const res = await fetch(`${platform.services.ingest.baseUrl}/api/v2/channelsbyname/general/message?zapikey=${token}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text }),
      });
      ids.push(res.headers.get('x-zapgate-event-id')!);
    }
    const run = await tail;
    expect(run.code).toBe(0);
    expect(
      run.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).event_id),
    ).toEqual(ids);
  });

  it("says what went wrong: the API's message for a refusal, where a key comes from when none is found", async () => {
    const bad = await zapgate(['users', 'create', '--email', 'not-an-email', '--name', 'x']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('(400 invalid_parameters)');
    expect(bad.stderr).toContain('email:');

    const nowhere = mkdtempSync(join(tmpdir(), 'zapgate-nokey-'));
    try {
      const noKey = await zapgate(['users', 'list'], {}, nowhere);
      expect(noKey.code).toBe(2);
      expect(noKey.stderr).toContain('needs an operator key');
    } finally {
      rmSync(nowhere, { recursive: true, force: true });
    }

    const wrongKey = await zapgate(['users', 'list'], { ZAPGATE_ADMIN_KEY: 'not-the-key' });
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toMatch(/\(401 unauthorized\)|\(403 /);

    const badUrl = await zapgate(['users', 'list'], { ZAPGATE_TOKEN_SERVICE_URL: 'ftp://example' });
    expect(badUrl).toMatchObject({ code: 2 });
    expect(badUrl.stderr).toContain('Invalid configuration: services.token');

    const usage = await zapgate(['tokens', 'create', '--name', 'x']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("required option '--user <userId>' not specified");
  });

  it('lists and retries dead letters of every service, and lists OAuth connections', async () => {
    const letters = await zapgate(['deliveries', 'dead-letters']);
    expect(letters).toMatchObject({ code: 0, stdout: '(none)\n' });
    const missing = await zapgate(['deliveries', 'retry', '999999', '--service', 'dispatch']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('No such dead letter.');
    const all = await json(['deliveries', 'retry', '--all', '--service', 'ingest']);
    expect(all).toEqual({ retried: 0, still_dead: 0, skipped: 0, more: false });
    expect(await json(['connections', 'list'])).toEqual({ data: [] });
    expect(await json(['connections', 'connectors'])).toEqual({ data: [] });
  });
});
