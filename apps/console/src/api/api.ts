import { createZapgateClient, type ZapgateClient } from '@zapgate/client';
import type { Session } from './session';

export { unwrap } from '@zapgate/client';
export type Api = ZapgateClient;

/** Same origin: the gateway serves the console and routes every API. */
const client = (credentials: { adminKey?: string; ownerKey?: string; token?: string }) =>
  createZapgateClient({ baseUrl: window.location.origin, ...credentials });

export function apiFor(session: Session | null): Api {
  if (!session) return client({});
  switch (session.kind) {
    case 'operator':
      return client({ adminKey: session.adminKey });
    case 'owner':
      return client({ ownerKey: session.ownerKey });
    case 'user':
      return client({ token: session.sessionToken });
  }
}

/** A client that reads as one token (channels and subscriptions are a member's, not an operator's). */
export function apiAsToken(token: string): Api {
  return client({ token });
}
