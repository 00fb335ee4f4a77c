import type { ConnectorRow } from '../connectors/connectors.service';
import { OAuthErrorCodes, OAuthException } from '../oauth.exception';

/**
 * Zoho's callback names the user's data centre (`location`, `accounts-server`); the code must be
 * exchanged there. Only servers of the connector's own map are accepted: a forged callback must
 * not get the client secret sent to a host of its choosing.
 */
export function zohoTokenHost(connector: ConnectorRow, location?: string, accountsServer?: string): string | null {
  if (connector.preset !== 'zoho') return null;
  const servers = Object.entries(connector.accounts_servers).map(([dc, url]) => [dc, url.replace(/\/$/, '')] as const);
  if (accountsServer) {
    const match = servers.find(([, url]) => url === accountsServer.replace(/\/$/, ''));
    if (!match) throw new OAuthException(OAuthErrorCodes.AuthorizationDenied, "The accounts-server is not one of this connector's data centres.");
    return match[1];
  }
  if (location) {
    const match = servers.find(([dc]) => dc === location.toLowerCase());
    if (!match) throw new OAuthException(OAuthErrorCodes.AuthorizationDenied, 'Unknown data centre location.');
    return match[1];
  }
  return new URL(connector.token_url).origin;
}
