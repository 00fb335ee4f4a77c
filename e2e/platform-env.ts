import {
  createTestDatabase,
  deleteNamespaceStreams,
  freePort,
  spawnService,
  TEST_NATS_URL,
  testNamespace,
  waitForReady,
  type ServiceProcess,
  type TestDatabase,
} from '@zapgate/testing';

export const ADMIN_KEY = 'e2e-admin-key-0123456789abcdef';

export interface Platform {
  db: TestDatabase;
  namespace: string;
  env: NodeJS.ProcessEnv;
  services: Record<'token' | 'ingest' | 'dispatch' | 'oauth', ServiceProcess>;
  stop(): Promise<void>;
}

/** All four built services as real processes, on free ports, in a private database and NATS namespace. */
export async function startPlatform(label: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<Platform> {
  const db = await createTestDatabase(label);
  const namespace = testNamespace(label);
  const [token, ingest, dispatch, oauth] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const env: NodeJS.ProcessEnv = {
    DATABASE_URL: db.url,
    NATS_URL: TEST_NATS_URL,
    NATS_NAMESPACE: namespace,
    ADMIN_API_KEY: ADMIN_KEY,
    TOKEN_PEPPER: 'e2e-pepper-0123456789abcdef0123456789abcdef',
    ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
    TOKEN_SERVICE_PORT: String(token),
    WEBHOOK_INGEST_PORT: String(ingest),
    MESSAGE_DISPATCH_PORT: String(dispatch),
    OAUTH_REFRESH_PORT: String(oauth),
    PUBLIC_OAUTH_URL: `http://127.0.0.1:${oauth}`,
    LOG_LEVEL: 'warn',
    // Every answer checked against its documented schema: the e2e tests keep the OpenAPI documents true.
    VALIDATE_RESPONSES: 'true',
    VALIDATE_CONTRACTS: 'true',
    ...extraEnv,
  };
  const services = {
    token: spawnService('token-service', token, env),
    ingest: spawnService('webhook-ingest', ingest, env),
    dispatch: spawnService('message-dispatch', dispatch, env),
    oauth: spawnService('oauth-refresh', oauth, env),
  };
  const all = Object.values(services);
  try {
    await Promise.all(all.map((s) => waitForReady(s, '/health/ready', 45_000)));
  } catch (err) {
    // A platform that failed to start leaves nothing behind either: what its services created goes too.
    await Promise.all(all.map((s) => s.stop()));
    await db.drop();
    await deleteNamespaceStreams(namespace);
    throw err;
  }
  return {
    db,
    namespace,
    env,
    services,
    // Reads the services when called: a test may have replaced one (restart after kill -9).
    async stop(this: Platform) {
      await Promise.all(Object.values(this.services).map((s) => s.stop()));
      await db.drop();
      await deleteNamespaceStreams(namespace);
    },
  };
}
