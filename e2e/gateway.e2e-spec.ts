import SwaggerParser from '@apidevtools/swagger-parser';
import type { ServiceProcess } from '@zapgate/testing';
import { createHmac } from 'node:crypto';
import { createFixture, until } from './fixtures';
import { startGateway } from './gateway-env';
import { ADMIN_KEY, startPlatform, type Platform } from './platform-env';

describe('the gateway: one origin for every API', () => {
  let platform: Platform;
  let gateway: ServiceProcess;
  let origin: string;
  const admin = { 'x-admin-key': ADMIN_KEY, 'content-type': 'application/json' };

  beforeAll(async () => {
    platform = await startPlatform('gateway');
    gateway = await startGateway(platform);
    origin = gateway.baseUrl;
  });

  afterAll(async () => {
    await gateway?.stop();
    await platform?.stop();
  });

  it('reaches each service by the paths it documents, and says which are ready', async () => {
    const ready = await fetch(`${origin}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok', services: { token: 'up', ingest: 'up', dispatch: 'up', oauth: 'up' } });

    const fx = await createFixture(platform, 'gw@example.com');
    const post = await fetch(`${origin}/api/v2/channelsbyname/general/message?zapikey=${fx.token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'through the gateway' }),
    });
    expect(post.status).toBe(204);
    const eventId = post.headers.get('x-zapgate-event-id');
    expect(eventId).toBeTruthy();

    // dispatch (GET /api/v2/{collection}/{name}/messages) beside ingest (POST /api/v2/chats/{id}/message) under /api/v2.
    let texts: string[] = [];
    for (let i = 0; i < 100 && !texts.length; i++) {
      const res = await fetch(`${origin}/api/v2/channelsbyname/general/messages`, { headers: { authorization: `Bearer ${fx.token}` } });
      texts = res.status === 200 ? ((await res.json()) as { data: { content: { text: string } }[] }).data.map((m) => m.content.text) : [];
      if (!texts.length) await new Promise((r) => setTimeout(r, 100));
    }
    expect(texts).toEqual(['through the gateway']);
    expect((await fetch(`${origin}/api/v1/events/${eventId}`, { headers: admin })).status).toBe(200);
    expect(await (await fetch(`${origin}/api/v1/connectors`, { headers: admin })).json()).toEqual({ data: [] });
    expect((await fetch(`${origin}/api/v1/admin/users/${fx.userId}`, { headers: admin })).status).toBe(200);
    // A service's refusal comes back as it was sent.
    const refused = await fetch(`${origin}/api/v1/admin/users`, { method: 'POST', headers: admin, body: '{"email":"x"}' });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ code: 'invalid_parameters' });
  });

  it('passes bodies byte for byte, so a sender signature over them still verifies', async () => {
    const fx = await createFixture(platform, 'gw-raw@example.com');
    const secret = 'gateway-signing-secret';
    await fetch(`${origin}/api/v1/admin/sender-verification/bot/rawbot`, {
      method: 'PUT',
      headers: admin,
      body: JSON.stringify({ scheme: 'github', secrets: [secret] }),
    });
    // Odd spacing, key order, escapes and non-ASCII: any re-serialisation on the way would break the signature.
    const body = Buffer.from('{ "zeta":1,"alpha" : "é\\u00e9 ☃",\n"n":1.0e0 }\r\n', 'utf8');
    const signature = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
    const res = await fetch(`${origin}/api/v2/bots/rawbot/incoming?zapikey=${fx.token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-hub-signature-256': signature },
      body,
    });
    expect(res.status).toBe(204);
    // The event log is written off the request path: wait for the record.
    const event = await until(async () => {
      const found = await fetch(`${origin}/api/v1/events/${res.headers.get('x-zapgate-event-id')}`, { headers: admin });
      return found.status === 200 ? ((await found.json()) as any) : undefined;
    });
    expect(event).toMatchObject({ source: 'bot-incoming' });
    expect(event.request.body).toBe(body.toString('utf8'));
    expect(event.sender).toEqual({ scheme: 'github', event: 'push' });
  });

  it('streams Server-Sent Events as they are written', async () => {
    const fx = await createFixture(platform, 'gw-sse@example.com');
    await fetch(`${origin}/api/v2/channelsbyname/gwlive/message?zapikey=${fx.token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"text":"first"}',
    });
    // The channel exists once its first message is stored.
    for (let i = 0; i < 100; i++) {
      const res = await fetch(`${origin}/api/v2/channelsbyname/gwlive/messages`, { headers: { authorization: `Bearer ${fx.token}` } });
      if (res.status === 200 && ((await res.json()) as { data: unknown[] }).data.length) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const controller = new AbortController();
    const stream = await fetch(`${origin}/api/v2/channelsbyname/gwlive/messages/stream`, {
      headers: { authorization: `Bearer ${fx.token}` },
      signal: controller.signal,
    });
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    const reader = stream.body!.getReader();
    const decoder = new TextDecoder();
    let received = '';
    await fetch(`${origin}/api/v2/channelsbyname/gwlive/message?zapikey=${fx.token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"text":"live"}',
    });
    // The stream stays open: the message must arrive while it does, not when it ends.
    while (!received.includes('"live"')) received += decoder.decode((await reader.read()).value, { stream: true });
    expect(received).toMatch(/event: message\ndata: .*"text":"live"/);
    controller.abort();
  });

  it("names the client in X-Forwarded-For: the peer's own address, unless the peer is a trusted proxy", async () => {
    const fx = await createFixture(platform, 'gw-ip@example.com');
    const postWith = (base: string, xff: string) =>
      fetch(`${base}/api/v2/channelsbyname/general/message?zapikey=${fx.token}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': xff },
        body: '{"text":"who am I"}',
      });
    const lastIp = async () => {
      const tokens = (await (await fetch(`${origin}/api/v1/admin/tokens?user_id=${fx.userId}`, { headers: admin })).json()) as any;
      return tokens.data.find((t: { name: string }) => t.name === 'personal').last_used_ip as string | null;
    };
    const settled = async (expected: string) => {
      for (let i = 0; i < 100 && (await lastIp()) !== expected; i++) await new Promise((r) => setTimeout(r, 100));
      return lastIp();
    };
    // A client cannot claim another address through the gateway…
    expect((await postWith(origin, '203.0.113.7')).status).toBe(204);
    expect(await settled('127.0.0.1')).toBe('127.0.0.1');
    // …but a load balancer the gateway trusts can.
    const behindLb = await startGateway(platform, { GATEWAY_TRUSTED_PROXIES: '127.0.0.0/8' });
    try {
      expect((await postWith(behindLb.baseUrl, '203.0.113.7')).status).toBe(204);
      expect(await settled('203.0.113.7')).toBe('203.0.113.7');
    } finally {
      await behindLb.stop();
    }
  });

  it('serves one merged, valid OpenAPI document at /docs', async () => {
    const doc = (await (await fetch(`${origin}/docs/openapi.json`)).json()) as any;
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeDefined();
    expect(doc.paths['/api/v1/admin/users'].post['x-zapgate-service']).toBe('token-service');
    expect(doc.paths['/api/v2/channelsbyname/{name}/message'].post['x-zapgate-service']).toBe('webhook-ingest');
    expect(doc.paths['/api/v1/subscriptions'].post['x-zapgate-service']).toBe('message-dispatch');
    expect(doc.paths['/api/v1/connectors'].post['x-zapgate-service']).toBe('oauth-refresh');
    expect(doc.paths['/health/ready']).toBeUndefined();
    const page = await fetch(`${origin}/docs`);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect((await fetch(`${origin}/docs/assets/swagger-ui-bundle.js`)).status).toBe(200);
  });

  it("answers in Cliq's error body for what no service serves, and 503 when a service is down", async () => {
    const missing = await fetch(`${origin}/api/v1/nothing-here`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ code: 'not_found', message: 'No API at /api/v1/nothing-here.' });
    const wrongMethod = await fetch(`${origin}/api/v1/connectors`, { method: 'PUT', headers: admin, body: '{}' });
    expect(wrongMethod.status).toBe(405);

    await platform.services.oauth.stop();
    const down = await fetch(`${origin}/api/v1/connectors`, { headers: admin });
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('1');
    expect(await down.json()).toMatchObject({ code: 'service_unavailable' });
    const ready = await fetch(`${origin}/health/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'degraded', services: { oauth: 'down', token: 'up' } });
  });
});
