import SwaggerParser from '@apidevtools/swagger-parser';
import { unwrap } from '@zapgate/client';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clientFor } from './fixtures';
import { startPlatform, type Platform } from './platform-env';

// The generator itself (plain JS, run by npm run client:generate): the test compares with its output.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const generator = require('../scripts/generate-client.js') as { documentText(doc: unknown): string; typesOf(file: string): string };

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
      // Every answer with a body has its schema (204s and redirects have none); every filter and body is there.
      const withoutSchema = ops.flatMap(({ method, path, op }) =>
        Object.entries(op.responses as Record<string, any>)
          .filter(([status, r]) => /^2\d\d$/.test(status) && status !== '204' && !Object.values(r.content ?? {}).some((c: any) => c.schema))
          .map(([status]) => `${method} ${path} ${status}`),
      );
      expect({ service: service.name, withoutSchema }).toEqual({ service: service.name, withoutSchema: [] });
      expect(doc.components.schemas.Error.required).toEqual(['code', 'message']);
    }
  });

  it('creates a user and a token, posts a message through ingest and reads it back from dispatch, with the typed client', async () => {
    const operator = clientFor(platform);
    const user = await unwrap(operator.token.POST('/api/v1/admin/users', { body: { email: 'e2e@example.com', display_name: 'E2E' } }));
    const { token } = await unwrap(
      operator.token.POST('/api/v1/admin/users/{userId}/tokens', { params: { path: { userId: user.id } }, body: { name: 'e2e' } }),
    );

    const asUser = clientFor(platform, { token });
    const texts = ['first', 'second', 'third'];
    for (const text of texts) {
      const posted = await asUser.ingest.POST('/api/v2/channelsbyname/{name}/message', { params: { path: { name: 'general' } }, body: { text } });
      expect(posted.response.status).toBe(204);
      expect(posted.response.headers.get('x-correlation-id')).toBeTruthy();
    }

    let messages: { content: { text?: string }; sender: object | null }[] = [];
    for (let i = 0; i < 100 && messages.length < texts.length; i++) {
      const page = await asUser.dispatch.GET('/api/v2/{collection}/{name}/messages', { params: { path: { collection: 'channelsbyname', name: 'general' } } });
      if (page.data) messages = page.data.data;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(messages.map((m) => m.content.text)).toEqual(['third', 'second', 'first']);
    expect(messages[0].sender).toEqual({ type: 'user', id: user.id });

    // A refusal is the API's own error body.
    await expect(unwrap(operator.token.POST('/api/v1/admin/users', { body: { email: 'nope', display_name: 'x' } }))).rejects.toMatchObject({
      status: 400,
      code: 'invalid_parameters',
    });
  });

  it('has its typed client generated from the documents the services serve (npm run client:generate)', async () => {
    for (const [name, service] of Object.entries({
      'token-service': platform.services.token,
      'webhook-ingest': platform.services.ingest,
      'message-dispatch': platform.services.dispatch,
      'oauth-refresh': platform.services.oauth,
    })) {
      const served = generator.documentText(await (await fetch(`${service.baseUrl}/docs/openapi.json`)).json());
      const file = join(__dirname, '../libs/client/openapi', `${name}.json`);
      // A failure here means the API changed without the client: run npm run client:generate.
      expect({ name, upToDate: readFileSync(file, 'utf8') === served }).toEqual({ name, upToDate: true });
      const types = readFileSync(join(__dirname, '../libs/client/src/generated', `${name}.ts`), 'utf8');
      expect({ name, upToDate: types === generator.typesOf(file) }).toEqual({ name, upToDate: true });
    }
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
    // A shutdown that hangs, or is slow, says where: the service logs its phases at debug.
    if (code !== 0 || Date.now() - t > 2000)
      process.stdout.write(
        `oauth-refresh stopped with ${code} after ${Date.now() - t} ms:\n${platform.services.oauth.output().slice(Math.max(0, before - 1500))}\n`,
      );
    expect(code).toBe(0);
  });
});
