import { checksumOf, displayParts, generateToken, isWellFormedToken, kindOfToken, TOKEN_PATTERN } from './token-format';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const randomInt = (n: number) => Math.floor(Math.random() * n);

describe('token format', () => {
  it('generates tokens that match the published pattern and checksum (property, 5,000 samples)', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const token = generateToken(i % 2 ? 'zapikey' : 'authtoken');
      expect(token).toMatch(TOKEN_PATTERN);
      expect(isWellFormedToken(token)).toBe(true);
      seen.add(token);
    }
    expect(seen.size).toBe(5000);
  });

  it('rejects every single-character substitution (property, 5,000 samples)', () => {
    for (let i = 0; i < 5000; i++) {
      const token = generateToken('zapikey');
      const at = 5 + randomInt(token.length - 5);
      let replacement = ALPHABET[randomInt(62)];
      while (replacement === token[at]) replacement = ALPHABET[randomInt(62)];
      const typo = token.slice(0, at) + replacement + token.slice(at + 1);
      expect(isWellFormedToken(typo)).toBe(false);
    }
  });

  it('rejects adjacent transpositions (property, 2,000 samples)', () => {
    for (let i = 0; i < 2000; i++) {
      const token = generateToken('zapikey');
      const at = 5 + randomInt(token.length - 6);
      if (token[at] === token[at + 1]) continue;
      const swapped = token.slice(0, at) + token[at + 1] + token[at] + token.slice(at + 2);
      expect(isWellFormedToken(swapped)).toBe(false);
    }
  });

  it('rejects foreign and truncated strings', () => {
    const token = generateToken('zapikey');
    for (const bad of ['', 'zapk_', token.slice(0, -1), `${token}x`, token.replace('zapk_', 'zapx_'), `1001.${'a'.repeat(32)}.${'b'.repeat(32)}`]) {
      expect(isWellFormedToken(bad)).toBe(false);
    }
  });

  it('computes a fixed-width checksum and the displayable parts', () => {
    expect(checksumOf('zapk_x')).toHaveLength(6);
    const token = generateToken('authtoken');
    expect(kindOfToken(token)).toBe('authtoken');
    expect(displayParts(token)).toEqual({ prefix: token.slice(0, 9), last4: token.slice(-4) });
  });
});
