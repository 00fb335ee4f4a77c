import type { TokenConfig } from '../token-config.schema';
import { SelfServiceLinks } from './self-service-links';

const config = { TOKEN_PEPPER: 'p'.repeat(32), SELF_SERVICE_LINK_TTL_SECONDS: 3600, PUBLIC_TOKEN_URL: 'https://zapgate.example.com' } as TokenConfig;
const user = '11111111-1111-4111-8111-111111111111';
const app = '22222222-2222-4222-8222-222222222222';

describe('self-service links', () => {
  const links = new SelfServiceLinks(config);

  it('carries the user, the application and the expiry, under the public URL', () => {
    const issued = links.issue(user, app);
    expect(issued.url.startsWith('https://zapgate.example.com/api/v1/self/tokens?link=')).toBe(true);
    expect(links.verify(issued.link)).toEqual({ userId: user, appId: app, expiresAt: issued.expiresAt });
  });

  it('refuses an expired, altered, foreign or malformed link', () => {
    const expired = links.issue(user, app, Date.now() - 3601_000).link;
    const good = links.issue(user, app).link;
    const [, , expires, sig] = good.split('.');
    const otherKey = new SelfServiceLinks({ ...config, TOKEN_PEPPER: 'q'.repeat(32) }).issue(user, app).link;
    for (const link of [expired, `${app}.${user}.${expires}.${sig}`, `${user}.${app}.${Number(expires) + 1}.${sig}`, otherKey, 'x', undefined, `${good}.x`]) {
      expect(() => links.verify(link)).toThrow(expect.objectContaining({ code: 'invalid_link' }));
    }
  });
});
