import type { MessageDispatchPaths, OAuthRefreshPaths, TokenServicePaths, WebhookIngestPaths } from '@zapgate/client';
import createClient, { type Middleware } from 'openapi-fetch';
import type { Session } from './session';

/** An API's refusal, with its own message (the console shows it as is). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface Result<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

export async function unwrap<T>(call: Promise<Result<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (response.ok) return data as T;
  const body = (error ?? {}) as { code?: string; message?: string };
  throw new ApiError(response.status, body.code ?? `http_${response.status}`, body.message ?? response.statusText);
}

/** Same origin: the gateway serves the console and routes every API. */
function clients(headers: Record<string, string>) {
  const auth: Middleware = {
    onRequest({ request }) {
      for (const [k, v] of Object.entries(headers)) if (!request.headers.has(k)) request.headers.set(k, v);
      return request;
    },
  };
  const make = <P extends object>() => {
    const c = createClient<P>({ baseUrl: window.location.origin });
    c.use(auth);
    return c;
  };
  return { token: make<TokenServicePaths>(), ingest: make<WebhookIngestPaths>(), dispatch: make<MessageDispatchPaths>(), oauth: make<OAuthRefreshPaths>() };
}

export type Api = ReturnType<typeof clients>;

export function apiFor(session: Session | null): Api {
  if (!session) return clients({});
  switch (session.kind) {
    case 'operator':
      return clients({ 'x-admin-key': session.adminKey });
    case 'owner':
      return clients({ 'x-owner-key': session.ownerKey });
    case 'user':
      return clients({ authorization: `Bearer ${session.sessionToken}` });
  }
}

/** A client that reads as one token (channels and subscriptions are a member's, not an operator's). */
export function apiAsToken(token: string): Api {
  return clients({ authorization: `Bearer ${token}` });
}
