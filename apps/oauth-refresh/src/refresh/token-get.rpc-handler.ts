import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { RpcSubjects, type OAuthTokenGetReply } from '@zapgate/contracts';
import { RpcService } from '@zapgate/platform';
import { ConnectionsService } from '../connections/connections.service';
import { OAuthErrorCodes, OAuthException } from '../oauth.exception';
import { RefreshService } from './refresh.service';

const REASONS: Partial<Record<string, Extract<OAuthTokenGetReply, { ok: false }>['reason']>> = {
  [OAuthErrorCodes.ConnectionNotFound]: 'not_found',
  [OAuthErrorCodes.ReauthRequired]: 'reauth_required',
  [OAuthErrorCodes.Revoked]: 'revoked',
  [OAuthErrorCodes.BudgetExhausted]: 'budget_exhausted',
  [OAuthErrorCodes.ProviderUnavailable]: 'unavailable',
};

/** Answers `zapgate.oauth.token.get.v1` for other services: the same valid token as GET …/token. */
@Injectable()
export class TokenGetRpcHandler implements OnApplicationBootstrap {
  constructor(
    private readonly rpc: RpcService,
    private readonly refresher: RefreshService,
    private readonly connections: ConnectionsService,
  ) {}

  onApplicationBootstrap(): void {
    this.rpc.serve(RpcSubjects.OAuthTokenGet, 'oauth-refresh', async ({ connectionId }): Promise<OAuthTokenGetReply> => {
      try {
        const row = await this.refresher.validToken(connectionId);
        return {
          ok: true,
          accessToken: this.connections.accessToken(row) ?? '',
          tokenType: row.token_type,
          expiresAt: row.expires_at?.toISOString() ?? null,
          apiDomain: row.api_domain,
          scope: row.scope,
        };
      } catch (err) {
        const reason = err instanceof OAuthException ? REASONS[err.code] : undefined;
        if (reason) return { ok: false, reason, message: (err as Error).message };
        throw err;
      }
    });
  }
}
