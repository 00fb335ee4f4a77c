import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ZohoCall {
  path: string;
  params: Record<string, string>;
}

/**
 * A small Zoho Accounts lookalike with the quirks a client must survive: the
 * callback names the user's data centre (`location`, `accounts-server`), a
 * refresh answers no new refresh token and an `api_domain`, failures come as
 * HTTP 200 with an `error` field, and throttling says "Access Denied".
 */
export class ZohoPeer {
  readonly calls: ZohoCall[] = [];
  mode: 'ok' | 'throttle' | 'revoked' = 'ok';
  private server!: Server;
  url = '';
  private readonly refreshTokens = new Set<string>();

  constructor(
    private readonly dc: string,
    private readonly redirectTo: () => { location: string; accountsServer: string },
  ) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', this.url);
        const params = { ...Object.fromEntries(url.searchParams), ...Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString())) };
        this.calls.push({ path: url.pathname, params });
        const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
        if (url.pathname === '/oauth/v2/auth') {
          const back = new URL(params.redirect_uri);
          const dc = this.redirectTo();
          back.searchParams.set('code', `1000.code.${randomUUID()}`);
          back.searchParams.set('state', params.state);
          back.searchParams.set('location', dc.location);
          back.searchParams.set('accounts-server', dc.accountsServer);
          res.writeHead(302, { location: back.toString() }).end();
          return;
        }
        if (url.pathname === '/oauth/v2/token/revoke') return json(200, { status: 'success' });
        if (url.pathname !== '/oauth/v2/token') return json(404, { error: 'not_found' });
        if (this.mode === 'throttle') {
          return json(200, {
            error_description: 'You have made too many requests continuously. Please try again after some time.',
            error: 'Access Denied',
            status: 'failure',
          });
        }
        if (params.grant_type === 'authorization_code') {
          if (!params.code?.startsWith('1000.code.') || !params.code_verifier) return json(200, { error: 'invalid_code' });
          const refreshToken = `1000.refresh.${randomUUID()}`;
          this.refreshTokens.add(refreshToken);
          return json(200, {
            access_token: `1000.access.${randomUUID()}`,
            refresh_token: refreshToken,
            api_domain: `https://www.zohoapis.${this.dc}`,
            token_type: 'Bearer',
            expires_in: 3600,
          });
        }
        if (params.grant_type === 'refresh_token') {
          if (this.mode === 'revoked' || !this.refreshTokens.has(params.refresh_token)) return json(200, { error: 'invalid_code' });
          return json(200, {
            access_token: `1000.access.${randomUUID()}`,
            api_domain: `https://www.zohoapis.${this.dc}`,
            token_type: 'Bearer',
            expires_in: 3600,
          });
        }
        return json(200, { error: 'unsupported_grant_type' });
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  tokenCalls(grantType: string): ZohoCall[] {
    return this.calls.filter((c) => c.path === '/oauth/v2/token' && c.params.grant_type === grantType);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }
}
