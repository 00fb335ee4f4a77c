import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliUsageError, resolveConfig } from './cli-config';

describe('the CLI configuration', () => {
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'cli-config-'));
    mkdirSync(join(root, '.zapgate'));
    mkdirSync(join(root, 'a', 'b'), { recursive: true });
    writeFileSync(join(root, '.zapgate', 'local.env'), '# made by npm start\nADMIN_API_KEY=from-file\nTOKEN_PEPPER=x=y\n');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('takes the admin key from the nearest .zapgate/local.env, and the local services when no URL is given', () => {
    const config = resolveConfig({}, {}, join(root, 'a', 'b'));
    expect(config.client.adminKey).toBe('from-file');
    expect(config.adminKeyFrom).toBe(join(root, '.zapgate', 'local.env'));
    expect(config.client.services).toEqual({
      token: 'http://127.0.0.1:3001',
      ingest: 'http://127.0.0.1:3002',
      dispatch: 'http://127.0.0.1:3003',
      oauth: 'http://127.0.0.1:3004',
    });
  });

  it('prefers flags to ZAPGATE_* variables to the file', () => {
    const env = { ZAPGATE_ADMIN_KEY: 'from-env', ZAPGATE_URL: 'http://gateway:3000', ZAPGATE_OAUTH_REFRESH_URL: 'http://oauth:3004' };
    expect(resolveConfig({}, env, root).client).toMatchObject({
      adminKey: 'from-env',
      baseUrl: 'http://gateway:3000',
      services: { oauth: 'http://oauth:3004' },
    });
    expect(resolveConfig({}, env, root).client.services?.token).toBeUndefined();
    expect(resolveConfig({ adminKey: 'from-flag', url: 'http://other:1' }, env, root).client).toMatchObject({
      adminKey: 'from-flag',
      baseUrl: 'http://other:1',
    });
  });

  it('reads a --state-dir instead of searching, and stops on a bad URL before any request', () => {
    expect(resolveConfig({ stateDir: join(root, 'a') }, {}, root).client.adminKey).toBeUndefined();
    expect(() => resolveConfig({ url: 'ftp://x' }, {}, root)).toThrow(CliUsageError);
    expect(() => resolveConfig({ url: 'ftp://x' }, {}, root)).toThrow('Invalid configuration: baseUrl');
  });
});
