import { spawnService } from '@zapgate/testing';

describe('configuration is validated at boot', () => {
  it.each([
    ['token-service', { TOKEN_PEPPER: 'too-short', ADMIN_API_KEY: 'admin-key-0123456789abcdef' }, 'TOKEN_PEPPER: must be at least 32 characters'],
    ['token-service', { TOKEN_PEPPER: 'p'.repeat(40) }, 'ADMIN_API_KEY: is required'],
    ['webhook-ingest', { NATS_URL: 'http://localhost:4222' }, 'NATS_URL: must be nats:// URLs'],
    ['message-dispatch', { DISPATCH_CONCURRENCY: '0' }, 'DISPATCH_CONCURRENCY'],
    ['oauth-refresh', { OAUTH_REFRESH_PORT: 'abc' }, 'OAUTH_REFRESH_PORT'],
  ])('%s stops with a message naming the bad variable (%j)', async (name, env, expected) => {
    const service = spawnService(name, 1, { ADMIN_API_KEY: '', TOKEN_PEPPER: '', ...env });
    const code = await new Promise<number | null>((resolve) => service.child.once('exit', resolve));
    expect(code).toBe(1);
    expect(service.output()).toContain(`${name}: invalid configuration`);
    expect(service.output()).toContain(expected);
    expect(service.output()).not.toContain('too-short');
  });
});
