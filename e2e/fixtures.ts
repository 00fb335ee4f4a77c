import { createZapgateClient, unwrap, type ZapgateClient } from '@zapgate/client';
import { ADMIN_KEY, type Platform } from './platform-env';

export interface Fixture {
  userId: string;
  token: string;
  /** The appkey identifies the application on webhook URLs; the owner key manages it. */
  app: { id: string; appkey: string; owner_key: string };
  appToken: string;
}

async function json<T = any>(res: Response): Promise<T> {
  const text = await res.text();
  if (!res.ok) throw new Error(`${res.status} ${text}`);
  return JSON.parse(text) as T;
}

export function adminPost<T = any>(platform: Platform, path: string, body: unknown): Promise<T> {
  return fetch(platform.services.token.baseUrl + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-admin-key': ADMIN_KEY },
    body: JSON.stringify(body),
  }).then((r) => json<T>(r));
}

/** The typed client on this platform's services, with the given credentials (the operator's by default). */
export function clientFor(platform: Platform, credentials: { adminKey?: string; token?: string; ownerKey?: string } = { adminKey: ADMIN_KEY }): ZapgateClient {
  // Read when called: a test may have restarted a service.
  const { token, ingest, dispatch, oauth } = platform.services;
  return createZapgateClient({ services: { token: token.baseUrl, ingest: ingest.baseUrl, dispatch: dispatch.baseUrl, oauth: oauth.baseUrl }, ...credentials });
}

/** A user with a personal token, and an application (extension) with that user's ZAPI key for it. */
export async function createFixture(platform: Platform, email: string): Promise<Fixture> {
  const operator = clientFor(platform).token;
  const user = await unwrap(operator.POST('/api/v1/admin/users', { body: { email, display_name: 'Fixture' } }));
  const { token } = await unwrap(operator.POST('/api/v1/admin/users/{userId}/tokens', { params: { path: { userId: user.id } }, body: { name: 'personal' } }));
  const app = await unwrap(operator.POST('/api/v1/admin/applications', { body: { name: `App ${email}`, owner_email: 'dev@example.com' } }));
  const owner = clientFor(platform, { ownerKey: app.owner_key }).token;
  const invoked = await unwrap(
    owner.POST('/api/v2/applications/{appId}/functions/{name}/invoke', {
      params: { path: { appId: app.id, name: 'connect' }, query: { appkey: app.appkey } },
      body: {
        user: { id: '1', email },
        button: {
          label: 'Connect',
          type: '+',
          action: { type: 'invoke.function', data: { name: 'connect' }, confirm: { title: 'T', description: 'D', input: { type: 'user_webhook_token' } } },
        },
      },
    }),
  );
  // The token is the first label slide's first row (the message the button answers).
  const slides = invoked.slides as unknown as { data: { Token: string }[] }[];
  return { userId: user.id, token, app, appToken: slides[0].data[0].Token };
}

export async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
