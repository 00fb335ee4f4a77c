import { z } from 'zod';
import { baseConfigSchema, secretString } from './base-config.schema';
import { ConfigValidationError, describeConfig, loadConfig } from './config.loader';

const schema = baseConfigSchema.extend({
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  API_KEY: secretString(24),
});

function errorOf(env: NodeJS.ProcessEnv): ConfigValidationError {
  try {
    loadConfig(schema, env);
  } catch (err) {
    if (err instanceof ConfigValidationError) return err;
    throw err;
  }
  throw new Error('expected a ConfigValidationError');
}

describe('loadConfig', () => {
  it('applies defaults and coerces numbers', () => {
    const config = loadConfig(schema, { API_KEY: 'k'.repeat(24), PORT: '8080' });
    expect(config.PORT).toBe(8080);
    expect(config.NATS_URL).toBe('nats://127.0.0.1:4222');
    expect(config.LOG_LEVEL).toBe('info');
  });

  it('names a missing required variable', () => {
    const error = errorOf({});
    expect(error.issues).toEqual([{ variable: 'API_KEY', message: 'is required' }]);
    expect(error.message).toContain('API_KEY: is required');
  });

  it('names every wrong variable at once', () => {
    const error = errorOf({ API_KEY: 'short', PORT: '99999', NATS_URL: 'http://x', LOG_LEVEL: 'loud' });
    expect(error.issues.map((i) => i.variable).sort()).toEqual(['API_KEY', 'LOG_LEVEL', 'NATS_URL', 'PORT']);
    expect(error.issues.find((i) => i.variable === 'API_KEY')?.message).toBe('must be at least 24 characters');
  });

  it('treats an empty variable as unset so the default applies', () => {
    expect(loadConfig(schema, { API_KEY: 'k'.repeat(24), PORT: '' }).PORT).toBe(3000);
  });

  it('never echoes a secret value in its error', () => {
    const error = errorOf({ API_KEY: 'hunter2-secret' });
    expect(error.message).not.toContain('hunter2');
  });
});

describe('describeConfig', () => {
  it('masks secrets and URL passwords', () => {
    const described = describeConfig({ API_KEY: 'topsecret', DATABASE_URL: 'postgres://app:pw123@db:5432/z', PORT: 1 }, ['API_KEY']);
    expect(described).toEqual({ API_KEY: '[redacted]', DATABASE_URL: 'postgres://app:[redacted]@db:5432/z', PORT: 1 });
  });
});
