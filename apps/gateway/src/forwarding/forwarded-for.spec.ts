import { forwardedFor, isTrusted } from './forwarded-for';

describe('X-Forwarded-For through the gateway', () => {
  it("replaces what an untrusted peer claims with the peer's own address", () => {
    expect(forwardedFor('198.51.100.4', '203.0.113.7', [])).toBe('198.51.100.4');
    expect(forwardedFor('198.51.100.4', undefined, ['10.0.0.0/8'])).toBe('198.51.100.4');
  });

  it('extends the chain a trusted proxy reports', () => {
    expect(forwardedFor('10.1.2.3', '203.0.113.7, 10.9.9.9', ['10.0.0.0/8'])).toBe('203.0.113.7, 10.9.9.9, 10.1.2.3');
    expect(forwardedFor('::ffff:127.0.0.1', '203.0.113.7', ['127.0.0.0/8'])).toBe('203.0.113.7, ::ffff:127.0.0.1');
  });

  it('matches IPv4, IPv6 and mapped addresses against CIDRs of their own family', () => {
    expect(isTrusted('::1', ['::1/128'])).toBe(true);
    expect(isTrusted('::1', ['127.0.0.0/8'])).toBe(false);
    expect(isTrusted('not-an-ip', ['0.0.0.0/0'])).toBe(false);
  });
});
