import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { startService } from '@zapgate/platform';
import { createTestDatabase, deleteNamespaceStreams, LogCapture, TEST_NATS_URL, testNamespace, type TestDatabase } from '@zapgate/testing';
import { tokenServiceDefinition } from '../token-service.definition';

export const ADMIN_KEY = 'test-admin-key-0123456789abcdef';
export const PEPPER = 'test-pepper-0123456789abcdef0123456789abcdef';

export interface CallOptions {
  body?: unknown;
  form?: Record<string, string>;
  headers?: Record<string, string>;
  session?: string;
  admin?: boolean;
}

export interface Answer<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** token-service in this process on a free port, with its own database and NATS namespace. */
export class TokenServiceHarness {
  private constructor(
    readonly app: NestFastifyApplication,
    readonly db: TestDatabase,
    readonly namespace: string,
    readonly logs: LogCapture,
    readonly base: string,
  ) {}

  static async start(env: Record<string, string> = {}): Promise<TokenServiceHarness> {
    const db = await createTestDatabase('token');
    const namespace = testNamespace('tok');
    const logs = new LogCapture();
    const app = await startService(tokenServiceDefinition, {
      env: {
        DATABASE_URL: db.url,
        NATS_URL: TEST_NATS_URL,
        NATS_NAMESPACE: namespace,
        ADMIN_API_KEY: ADMIN_KEY,
        TOKEN_PEPPER: PEPPER,
        USAGE_FLUSH_INTERVAL_MS: '100',
        LOG_LEVEL: 'debug',
        ...env,
      },
      logDestination: logs,
      portOverride: 0,
    });
    return new TokenServiceHarness(app, db, namespace, logs, await app.getUrl());
  }

  async stop(): Promise<void> {
    await this.app.close();
    await this.db.drop();
    await deleteNamespaceStreams(this.namespace);
  }

  async call<T = any>(method: string, path: string, options: CallOptions = {}): Promise<Answer<T>> {
    const headers: Record<string, string> = { ...options.headers };
    let body: string | undefined;
    if (options.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(options.form).toString();
    } else if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    if (options.admin) headers['x-admin-key'] = ADMIN_KEY;
    if (options.session) headers.authorization = `Bearer ${options.session}`;
    const res = await fetch(this.base + path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON (legacy text/plain answers)
    }
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  }

  async createUser(email: string, options: { password?: string; confirmed?: boolean } = {}): Promise<{ id: string; email: string }> {
    const res = await this.call('POST', '/api/v1/admin/users', {
      admin: true,
      body: { email, display_name: email.split('@')[0], password: options.password, confirmed: options.confirmed ?? true },
    });
    if (res.status !== 201) throw new Error(`createUser: ${res.status} ${res.text}`);
    return res.body;
  }

  async signIn(email: string, password: string): Promise<string> {
    const res = await this.call('POST', '/api/v1/sessions', { body: { email, password } });
    if (res.status !== 201) throw new Error(`signIn: ${res.status} ${res.text}`);
    return res.body.session_token;
  }

  async createApplication(
    overrides: Record<string, unknown> = {},
  ): Promise<{ id: string; appkey: string; owner_key: string; owner_key_prefix: string; name: string }> {
    const res = await this.call('POST', '/api/v1/admin/applications', {
      admin: true,
      body: { name: 'GitLab', owner_email: 'dev@example.com', ...overrides },
    });
    if (res.status !== 201) throw new Error(`createApplication: ${res.status} ${res.text}`);
    return res.body;
  }

  /** Waits until pending usage counts are in PostgreSQL. */
  async settleUsage(): Promise<void> {
    await new Promise((r) => setTimeout(r, 350));
  }
}
