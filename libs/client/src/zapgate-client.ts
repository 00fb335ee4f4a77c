import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { paths as MessageDispatchPaths } from './generated/message-dispatch';
import type { paths as OAuthRefreshPaths } from './generated/oauth-refresh';
import type { paths as TokenServicePaths } from './generated/token-service';
import type { paths as WebhookIngestPaths } from './generated/webhook-ingest';

export type ServiceName = 'token' | 'ingest' | 'dispatch' | 'oauth';

export interface ZapgateClientOptions {
  /** One origin for every API (a gateway in front of the four services). */
  baseUrl?: string;
  /** Each service's own base URL; wins over baseUrl for the services it names. */
  services?: Partial<Record<ServiceName, string>>;
  /** An operator key: ADMIN_API_KEY or a named zaok_ key (X-Admin-Key). */
  adminKey?: string;
  /** A session token or a ZAPI key (Authorization: Bearer). */
  token?: string;
  /** An application's owner key (X-Owner-Key). */
  ownerKey?: string;
  /** Another fetch (tests, proxies). */
  fetch?: typeof fetch;
}

export interface ZapgateClient {
  token: Client<TokenServicePaths>;
  ingest: Client<WebhookIngestPaths>;
  dispatch: Client<MessageDispatchPaths>;
  oauth: Client<OAuthRefreshPaths>;
}

/** The credentials given, as the headers each API reads; a header a call sets itself wins. */
function credentials(options: ZapgateClientOptions): Middleware {
  const headers: [string, string][] = [];
  if (options.adminKey) headers.push(['x-admin-key', options.adminKey]);
  if (options.ownerKey) headers.push(['x-owner-key', options.ownerKey]);
  if (options.token) headers.push(['authorization', `Bearer ${options.token}`]);
  return {
    onRequest({ request }) {
      for (const [name, value] of headers) if (!request.headers.has(name)) request.headers.set(name, value);
      return request;
    },
  };
}

/**
 * One typed client per service, from the OpenAPI documents the services serve: paths,
 * parameters, bodies and answers are checked by the compiler. Calls answer
 * `{ data, error, response }`; `unwrap` turns that into the data or a ZapgateApiError.
 */
export function createZapgateClient(options: ZapgateClientOptions): ZapgateClient {
  const make = <P extends object>(service: ServiceName): Client<P> => {
    const baseUrl = options.services?.[service] ?? options.baseUrl;
    if (!baseUrl) throw new Error(`No URL for ${service}: give baseUrl or services.${service}.`);
    const client = createClient<P>({ baseUrl: baseUrl.replace(/\/$/, ''), fetch: options.fetch });
    client.use(credentials(options));
    return client;
  };
  return { token: make('token'), ingest: make('ingest'), dispatch: make('dispatch'), oauth: make('oauth') };
}
