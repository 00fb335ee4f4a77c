import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A minimal OAuth provider that rotates refresh tokens: each one works once,
 * and using a spent one is counted as a double refresh (a real provider with
 * rotation would revoke the grant). It also counts refreshes that came after
 * the access token they replaced had expired.
 */
export class RotatingProvider {
  readonly ledger = { codeExchanges: 0, refreshes: 0, doubles: 0, late: 0 };
  private server!: Server;
  url = '';
  private readonly live = new Map<string, { expiresAt: number }>();
  private readonly spent = new Set<string>();

  constructor(private readonly accessTtlSeconds: number) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://x');
        const params = new URLSearchParams(Buffer.concat(chunks).toString());
        const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
        if (url.pathname === '/auth') {
          const back = new URL(url.searchParams.get('redirect_uri')!);
          back.searchParams.set('code', `code-${randomBytes(8).toString('hex')}`);
          back.searchParams.set('state', url.searchParams.get('state')!);
          res.writeHead(302, { location: back.toString() }).end();
          return;
        }
        if (url.pathname !== '/token') return json(404, { error: 'not_found' });
        if (params.get('grant_type') === 'authorization_code') {
          if (!params.get('code_verifier')) return json(400, { error: 'invalid_request' });
          this.ledger.codeExchanges++;
          return json(200, this.issue());
        }
        const presented = params.get('refresh_token') ?? '';
        const current = this.live.get(presented);
        if (!current) {
          if (this.spent.has(presented)) this.ledger.doubles++;
          return json(400, { error: 'invalid_grant' });
        }
        this.live.delete(presented);
        this.spent.add(presented);
        this.ledger.refreshes++;
        if (Date.now() > current.expiresAt) this.ledger.late++;
        return json(200, this.issue());
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  private issue() {
    const refreshToken = `rt-${randomBytes(12).toString('hex')}`;
    this.live.set(refreshToken, { expiresAt: Date.now() + this.accessTtlSeconds * 1000 });
    return { access_token: `at-${randomBytes(12).toString('hex')}`, refresh_token: refreshToken, token_type: 'Bearer', expires_in: this.accessTtlSeconds };
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }
}
