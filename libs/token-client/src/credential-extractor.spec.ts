import { extractToken } from './credential-extractor';

describe('extractToken', () => {
  it.each([
    [{ query: { zapikey: 'zapk_a' }, headers: {} }, 'zapk_a'],
    [{ query: { authtoken: 'zaat_b' }, headers: {} }, 'zaat_b'],
    [{ headers: { authorization: 'Bearer zapk_c' } }, 'zapk_c'],
    [{ headers: { authorization: 'Zoho-oauthtoken zapk_d' } }, 'zapk_d'],
    [{ headers: { authorization: 'zapk_e' } }, 'zapk_e'],
    [{ query: { zapikey: 'zapk_q' }, headers: { authorization: 'Bearer zapk_h' } }, 'zapk_q'],
  ])('finds the token in %j', (source, expected) => {
    expect(extractToken(source)).toBe(expected);
  });

  it.each([{ headers: {} }, { headers: { authorization: 'Basic a b' } }, { query: { zapikey: '' }, headers: {} }])('finds nothing in %j', (source) => {
    expect(extractToken(source)).toBeUndefined();
  });
});
