import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { RpcSubjects } from '@zapgate/contracts';
import { startService } from '@zapgate/platform';
import { generateToken } from '@zapgate/token-client';
import {
  connectTestNats,
  createTestDatabase,
  LogCapture,
  TEST_NATS_URL,
  testNamespace,
  type TestDatabase,
} from '@zapgate/testing';
import type { NatsConnection } from 'nats';
import { tokenServiceDefinition } from '../token-service.definition';

const ADMIN_KEY = 'test-admin-key-0123456789abcdef';
const PEPPER = 'test-pepper-0123456789abcdef0123456789abcdef';

describe('token-service operator API and tokens.verify (real PostgreSQL + NATS)', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let nc: NatsConnection;
  let namespace: string;
  let base: string;
  const logs = new LogCapture();

  beforeAll(async () => {
    db = await createTestDatabase('token');
    namespace = testNamespace('tok');
    app = await startService(tokenServiceDefinition, {
      env: { DATABASE_URL: db.url, NATS_URL: TEST_NATS_URL, NATS_NAMESPACE: namespace, ADMIN_API_KEY: ADMIN_KEY, TOKEN_PEPPER: PEPPER },
      logDestination: logs,
      portOverride: 0,
    });
    base = await app.getUrl();
    nc = await connectTestNats();
  });

  afterAll(async () => {
    await nc?.close();
    await app?.close();
    await db?.drop();
  });

  const admin = (path: string, body: unknown, key = ADMIN_KEY) =>
    fetch(`${base}/api/v1/admin${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-admin-key': key },
      body: JSON.stringify(body),
    });

  const verify = async (token: string) => {
    const msg = await nc.request(`${namespace}.${RpcSubjects.TokensVerify}`, JSON.stringify({ token }), { timeout: 2000 });
    return (msg.json() as { data: unknown }).data;
  };

  async function createUser(email: string) {
    const res = await admin('/users', { email, display_name: 'Test User' });
    expect(res.status).toBe(201);
    return (await res.json()) as { id: string };
  }

  it('runs its migrations into its own schema', async () => {
    const tables = await db.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'token' ORDER BY table_name`,
    );
    expect(tables.map((t) => t.table_name)).toEqual(['migrations', 'token', 'user']);
  });

  it('creates a user, mints a token once, and verifies it over NATS', async () => {
    const user = await createUser('Alice@Example.com');
    const res = await admin(`/users/${user.id}/tokens`, { name: 'ci', scopes: ['messages'] });
    expect(res.status).toBe(201);
    const minted = (await res.json()) as { id: string; token: string; prefix: string; last4: string };
    expect(minted.token).toMatch(/^zapk_[0-9A-Za-z]{36}$/);
    expect(minted.prefix).toBe(minted.token.slice(0, 9));

    expect(await verify(minted.token)).toEqual({ active: true, tokenId: minted.id, userId: user.id, appId: null, scopes: ['messages'] });
    // Only the keyed hash is stored; the secret appears nowhere in the table.
    const rows = await db.query<{ hash: Buffer }>(`SELECT hash FROM token.token WHERE id = $1`, [minted.id]);
    expect(rows[0].hash).toHaveLength(32);
    expect(JSON.stringify(await db.query(`SELECT * FROM token.token`))).not.toContain(minted.token.slice(5));
  });

  it('answers inactive for unknown, malformed and foreign tokens alike', async () => {
    expect(await verify(generateToken('zapikey'))).toEqual({ active: false });
    expect(await verify('zapk_not-a-token')).toEqual({ active: false });
    expect(await verify('1001.abc.def')).toEqual({ active: false });
  });

  it('rejects a missing or wrong admin key with 401', async () => {
    const res = await admin('/users', { email: 'x@example.com', display_name: 'X' }, 'wrong-key');
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ code: 'unauthorized', message: 'A valid X-Admin-Key header is required.' });
  });

  it('lists every invalid field in one 400', async () => {
    const res = await admin('/users', { email: 'nope', display_name: '', extra: 1 });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { code: string; details: { path: string }[] };
    expect(body.code).toBe('invalid_parameters');
    expect(body.details.map((d) => d.path).sort()).toEqual(['(root)', 'display_name', 'email']);
  });

  it('answers 400 for malformed JSON and 404 for an unknown user, never 500', async () => {
    const malformed = await fetch(`${base}/api/v1/admin/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-admin-key': ADMIN_KEY },
      body: '{"email":',
    });
    expect(malformed.status).toBe(400);
    const unknown = await admin('/users/00000000-0000-4000-8000-000000000000/tokens', { name: 'x' });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { code: string }).code).toBe('user_not_found');
    const badId = await admin('/users/not-a-uuid/tokens', { name: 'x' });
    expect(badId.status).toBe(400);
  });

  it('refuses a second user with the same email (case-insensitive) with 409', async () => {
    await createUser('dup@example.com');
    const res = await admin('/users', { email: 'DUP@example.com', display_name: 'Dup' });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { code: string }).code).toBe('email_taken');
  });

  it('never writes a token or the admin key to the log', async () => {
    const user = await createUser('logs@example.com');
    const minted = (await (await admin(`/users/${user.id}/tokens`, { name: 'log' })).json()) as { token: string };
    await verify(minted.token);
    await fetch(`${base}/api/v1/admin/users?zapikey=${minted.token}`, { headers: { authorization: `Bearer ${minted.token}` } });
    await new Promise((r) => setTimeout(r, 200));
    expect(logs.lines.length).toBeGreaterThan(5);
    expect(logs.text()).not.toContain(minted.token);
    expect(logs.text()).not.toContain(ADMIN_KEY);
    expect(logs.text()).not.toContain(PEPPER);
  });

  it('serves health, metrics and the OpenAPI document', async () => {
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('http_request_duration_seconds_bucket');
    expect(metrics).toContain('process_cpu_seconds_total');
    const doc = (await (await fetch(`${base}/docs/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/admin/users', '/api/v1/admin/users/{userId}/tokens']));
  });
});
