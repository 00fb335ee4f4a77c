import { freePort, WORKSPACE_ROOT } from '@zapgate/testing';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function processesMentioning(text: string): string[] {
  const out = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.includes(text) && !l.includes('ps -eo'));
}

describe('npm start launcher', () => {
  it('starts its own PostgreSQL and NATS when nothing listens on their ports, and stops everything on Ctrl-C', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'zapgate-launch-'));
    const [pgPort, natsPort, token, ingest, dispatch, oauth, gateway] = await Promise.all(Array.from({ length: 7 }, () => freePort()));
    const env = { ...process.env };
    delete env.DATABASE_URL;
    delete env.NATS_URL;
    const child = spawn(process.execPath, [join(WORKSPACE_ROOT, 'scripts/start.js')], {
      env: {
        ...env,
        ZAPGATE_STATE_DIR: stateDir,
        ZAPGATE_PG_PORT: String(pgPort),
        ZAPGATE_NATS_PORT: String(natsPort),
        TOKEN_SERVICE_PORT: String(token),
        WEBHOOK_INGEST_PORT: String(ingest),
        MESSAGE_DISPATCH_PORT: String(dispatch),
        OAUTH_REFRESH_PORT: String(oauth),
        GATEWAY_PORT: String(gateway),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', r));

    try {
      const deadline = Date.now() + 90_000;
      let ready: number[] = [];
      while (ready.length < 4 && Date.now() < deadline && child.exitCode === null) {
        await new Promise((r) => setTimeout(r, 300));
        ready = [];
        for (const port of [token, ingest, dispatch, oauth]) {
          const ok = await fetch(`http://127.0.0.1:${port}/health/ready`).then(
            (r) => r.status === 200,
            () => false,
          );
          if (ok) ready.push(port);
        }
      }
      expect({ ready: ready.length, output: ready.length < 4 ? output : '' }).toEqual({ ready: 4, output: '' });
      expect(output).toContain(`nothing on port ${pgPort}: starting embedded PostgreSQL`);
      expect(output).toContain(`nothing on port ${natsPort}: starting`);
      expect(readFileSync(join(stateDir, 'local.env'), 'utf8')).toMatch(/^ADMIN_API_KEY=.{24,}\nTOKEN_PEPPER=.{32,}\nENCRYPTION_KEYS=k1:.{44}\n$/);
      // Service output is prefixed by service name.
      expect(output).toMatch(/token-service\s+\|/);
      // Once all four are ready, one banner says where everything is and what to try; Nest's route and module lines stay out.
      const banner = await (async () => {
        for (const until = Date.now() + 10_000; Date.now() < until && !output.includes('Zapgate is ready');) await new Promise((r) => setTimeout(r, 100));
        return output.slice(output.indexOf('Zapgate is ready'));
      })();
      expect(banner).toContain(`console           http://127.0.0.1:${gateway}/console`);
      expect(banner).toContain(`APIs              http://127.0.0.1:${gateway}           API docs http://127.0.0.1:${gateway}/docs`);
      expect(banner).toContain(`webhook-ingest :${ingest}`);
      expect(banner).toContain('admin key         ADMIN_API_KEY in');
      expect(banner).toContain(`curl -s -X POST http://127.0.0.1:${gateway}/api/v1/admin/users`);
      // The banner's origin answers: the gateway routes to the services.
      expect((await fetch(`http://127.0.0.1:${gateway}/health/ready`)).status).toBe(200);
      expect(output).not.toMatch(/Mapped \{|dependencies initialized|stream created/);
      expect(output.split('Zapgate is ready')[0].split('\n').length).toBeLessThan(60);

      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(output).toContain('stopping embedded PostgreSQL');
      expect(output).toContain('stopping nats-server');
      expect(processesMentioning(stateDir)).toEqual([]);
    } finally {
      // On failure, let the launcher stop its services and servers; SIGKILL would orphan them.
      if (child.exitCode === null) {
        child.kill('SIGINT');
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(stateDir, { recursive: true, force: true });
    }
  }, 120_000);
});
