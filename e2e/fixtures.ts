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

/** A user with a personal token, and an application (extension) with that user's ZAPI key for it. */
export async function createFixture(platform: Platform, email: string): Promise<Fixture> {
  const user = await adminPost<{ id: string }>(platform, '/api/v1/admin/users', { email, display_name: 'Fixture' });
  const { token } = await adminPost<{ token: string }>(platform, `/api/v1/admin/users/${user.id}/tokens`, { name: 'personal' });
  const app = await adminPost<{ id: string; appkey: string; owner_key: string }>(platform, '/api/v1/admin/applications', {
    name: `App ${email}`,
    owner_email: 'dev@example.com',
  });
  const invoked = await fetch(`${platform.services.token.baseUrl}/api/v2/applications/${app.id}/functions/connect/invoke?appkey=${app.appkey}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-owner-key': app.owner_key },
    body: JSON.stringify({
      user: { id: '1', email },
      button: {
        label: 'Connect',
        type: '+',
        action: { type: 'invoke.function', data: { name: 'connect' }, confirm: { title: 'T', description: 'D', input: { type: 'user_webhook_token' } } },
      },
    }),
  }).then((r) => json<{ slides: { data: { Token: string }[] }[] }>(r));
  return { userId: user.id, token, app, appToken: invoked.slides[0].data[0].Token };
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
