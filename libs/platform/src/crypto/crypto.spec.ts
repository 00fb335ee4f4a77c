import { randomBytes } from 'node:crypto';
import { encryptionKeysSchema, SecretBox } from './secret-box';
import { uuidV5 } from './uuid-v5';

describe('SecretBox', () => {
  const k1 = randomBytes(32);
  const k2 = randomBytes(32);

  it('round-trips, binds associated data, and detects tampering', () => {
    const box = new SecretBox(new Map([['k1', k1]]), 'k1');
    const sealed = box.seal('whsec_secret', 'bot:alerts');
    expect(sealed).not.toContain('whsec_secret');
    expect(box.open(sealed, 'bot:alerts')).toBe('whsec_secret');
    expect(() => box.open(sealed, 'bot:other')).toThrow();
    const parts = sealed.split('.');
    parts[4] = Buffer.from('tampered').toString('base64url');
    expect(() => box.open(parts.join('.'), 'bot:alerts')).toThrow();
  });

  it('opens values sealed under an older key after rotation', () => {
    const old = new SecretBox(new Map([['k1', k1]]), 'k1').seal('s');
    const rotated = new SecretBox(
      new Map([
        ['k2', k2],
        ['k1', k1],
      ]),
      'k2',
    );
    expect(rotated.open(old)).toBe('s');
    expect(rotated.keyIdOf(rotated.seal('s'))).toBe('k2');
  });

  it('parses ENCRYPTION_KEYS and rejects bad keys', () => {
    const parsed = encryptionKeysSchema.parse(`k2:${k2.toString('base64')},k1:${k1.toString('base64')}`);
    expect(parsed.currentKeyId).toBe('k2');
    expect(encryptionKeysSchema.safeParse('k1:short').success).toBe(false);
    expect(encryptionKeysSchema.safeParse('').success).toBe(false);
  });
});

describe('uuidV5', () => {
  it('matches the RFC 9562 test vector and is deterministic', () => {
    // RFC 9562 appendix A.4: "www.example.com" in the DNS namespace.
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
    expect(uuidV5('a', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(uuidV5('a', '6ba7b810-9dad-11d1-80b4-00c04fd430c8'));
  });
});
