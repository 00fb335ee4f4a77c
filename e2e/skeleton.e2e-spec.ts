import SwaggerParser from '@apidevtools/swagger-parser';
import { ADMIN_KEY, startPlatform, type Platform } from './platform-env';

async function json<T>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

describe('walking skeleton across all four services', () => {
  let platform: Platform;

  beforeAll(async () => {
    platform = await startPlatform('skel', { LOG_LEVEL: 'debug' });
  });

  afterAll(async () => {
    await platform?.stop();
  });

  it('every service answers live, ready, metrics and docs', async () => {
    for (const service of Object.values(platform.services)) {
      for (const path of ['/health/live', '/health/ready', '/metrics', '/docs/openapi.json']) {
        const res = await fetch(service.baseUrl + path);
        expect({ service: service.name, path, status: res.status }).toEqual({ service: service.name, path, status: 200 });
      }
    }
  });

  it('serves a valid OpenAPI document on every service: defined security schemes, the error body on every operation', async () => {
    for (const service of Object.values(platform.services)) {
      const doc = (await (await fetch(`${service.baseUrl}/docs/openapi.json`)).json()) as any;
      // Throws on any schema violation, including a security requirement naming an undefined scheme.
      await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeDefined();
      const ops = Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, item]) =>
        Object.entries(item).map(([method, op]) => ({ path, method, op })),
      );
      expect(ops.length).toBeGreaterThan(3);
      const withoutErrors = ops
        .filter(({ op }) => !op.responses?.['4XX']?.content?.['application/json']?.schema)
        .map(({ method, path }) => `${method} ${path}`);
      expect({ service: service.name, withoutErrors }).toEqual({ service: service.name, withoutErrors: [] });
      expect(doc.components.schemas.Error.required).toEqual(['code', 'message']);
    }
  });

  it('creates a user and a token, posts a message through ingest and reads it back from dispatch', async () => {
    const { token: tokenSvc, ingest, dispatch } = platform.services;
    const user = await json<{ id: string }>(
      await fetch(`${tokenSvc.baseUrl}/api/v1/admin/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-admin-key': ADMIN_KEY },
        body: JSON.stringify({ email: 'e2e@example.com', display_name: 'E2E' }),
      }),
    );
    const { token } = await json<{ token: string }>(
      await fetch(`${tokenSvc.baseUrl}/api/v1/admin/users/${user.id}/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-admin-key': ADMIN_KEY },
        body: JSON.stringify({ name: 'e2e' }),
      }),
    );

    const texts = ['first', 'second', 'third'];
    for (const text of texts) {
      const posted = await fetch(`${ingest.baseUrl}/api/v2/channelsbyname/general/message?zapikey=${token}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text }),
      });
      expect(posted.status).toBe(204);
      expect(posted.headers.get('x-correlation-id')).toBeTruthy();
    }

    let messages: { content: { text: string }; sender: { id: string } }[] = [];
    for (let i = 0; i < 100 && messages.length < texts.length; i++) {
      const res = await fetch(`${dispatch.baseUrl}/api/v2/channelsbyname/general/messages`, { headers: { authorization: `Bearer ${token}` } });
      if (res.status === 200) messages = (await json<{ data: typeof messages }>(res)).data;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(messages.map((m) => m.content.text)).toEqual(['third', 'second', 'first']);
    expect(messages[0].sender.id).toBe(user.id);
  });

  it('refuses posts without a valid token with the same 401, and bad bodies with 400', async () => {
    const url = `${platform.services.ingest.baseUrl}/api/v2/channelsbyname/general/message`;
    const post = (query: string, body: string) => fetch(url + query, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    for (const query of ['', '?zapikey=zapk_wrong', '?zapikey=zapk_0000000000000000000000000000000000000']) {
      const res = await post(query, '{"text":"x"}');
      expect(res.status).toBe(401);
      expect(((await res.json()) as { code: string }).code).toBe('unauthorized');
    }
    const reads = await fetch(`${platform.services.dispatch.baseUrl}/api/v2/channelsbyname/general/messages?zapikey=zapk_wrong`);
    expect(reads.status).toBe(401);
  });

  it('stops cleanly on SIGTERM', async () => {
    const before = platform.services.oauth.output().length;
    const t = Date.now();
    const code = await platform.services.oauth.stop();
    // A shutdown that hangs says where: the service logs its phases at debug.
    if (code !== 0)
      process.stdout.write(
        `oauth-refresh stopped with ${code} after ${Date.now() - t} ms:\n${platform.services.oauth.output().slice(Math.max(0, before - 1500))}\n`,
      );
    expect(code).toBe(0);
  });
});
