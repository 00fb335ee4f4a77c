import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '@zapgate/testing';

export interface PeerStats {
  codeGrants: number;
  refreshes: number;
  refreshErrors: Record<string, number>;
  revocations: number;
  byGrant: Record<string, number[]>;
}

export interface OidcPeer {
  issuer: string;
  clientId: string;
  clientSecret: string;
  stats(): Promise<PeerStats>;
  failTokenRequests(n: number): Promise<void>;
  stop(): Promise<void>;
}

/** Starts oidc-provider (ESM, so in its own process) with one confidential client for Zapgate. */
export async function startOidcPeer(redirectUri: string, accessTokenTtl: number): Promise<OidcPeer> {
  const port = await freePort();
  const clientId = 'zapgate';
  const clientSecret = 'zapgate-client-secret-0123456789';
  const config = {
    accessTokenTtl,
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
  };
  const child: ChildProcess = fork(join(__dirname, 'oidc-peer.mjs'), [String(port), JSON.stringify(config)], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`oidc peer exited with ${code}`)));
  });
  const issuer = `http://127.0.0.1:${port}`;
  return {
    issuer,
    clientId,
    clientSecret,
    stats: async () => (await (await fetch(`${issuer}/stats`)).json()) as PeerStats,
    failTokenRequests: async (n) => void (await fetch(`${issuer}/control?fail_token_requests=${n}`, { method: 'POST' })),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
