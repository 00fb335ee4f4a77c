import { codeChallenge } from '../authorization/state.service';
import { classify } from './provider-client.service';

describe('provider answers', () => {
  it.each([
    [400, 'invalid_grant', '', 'reauth'],
    [200, 'invalid_code', '', 'reauth'], // Zoho: a revoked refresh token, with HTTP 200
    [200, 'Access Denied', 'You have made too many requests continuously. Please try again after some time.', 'throttled'],
    [429, 'rate_limited', '', 'throttled'],
    [503, 'temporarily_unavailable', '', 'transient'],
    [401, 'invalid_client', '', 'rejected'],
  ] as const)('HTTP %i with %s is %s', (status, code, description, kind) => {
    expect(classify(status, code, description).kind).toBe(kind);
  });
});

describe('PKCE', () => {
  // The e2e test proves the pair against oidc-provider, which checks the verifier at the token endpoint.
  it('is the unpadded base64url SHA-256 of the verifier', () => {
    const challenge = codeChallenge('a'.repeat(43));
    expect(challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(challenge, 'base64url')).toHaveLength(32);
    expect(codeChallenge('b'.repeat(43))).not.toBe(challenge);
  });
});
