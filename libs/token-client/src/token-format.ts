import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';

/**
 * Token wire format: `<kind>_<30 random base62><6 base62 CRC32>`.
 * The checksum lets clients and secret scanners reject a mistyped or foreign
 * string without a lookup; the random part carries ~178 bits.
 */
export const TokenKinds = { zapikey: 'zapk', authtoken: 'zaat' } as const;
export type TokenKind = keyof typeof TokenKinds;

/** Other secrets Zapgate issues in the same format, never accepted where a token is expected. */
/** `ownerkey` manages one application (its owner's credential); the appkey only identifies it on webhook URLs. */
export const SecretKinds = { ...TokenKinds, appkey: 'zapp', session: 'zses', ownerkey: 'zapo', operatorkey: 'zaok' } as const;
export type SecretKind = keyof typeof SecretKinds;

export const RANDOM_LENGTH = 30;
export const CHECKSUM_LENGTH = 6;
export const TOKEN_PATTERN = /^(zapk|zaat)_[0-9A-Za-z]{36}$/;
const SECRET_PATTERN = /^(zapk|zaat|zapp|zses|zapo|zaok)_[0-9A-Za-z]{36}$/;

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function base62Fixed(value: number, length: number): string {
  let out = '';
  let n = value;
  for (let i = 0; i < length; i++) {
    out = ALPHABET[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}

function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // 248 = 4 × 62: rejecting the rest keeps every character equally likely.
      if (byte < 248 && out.length < length) out += ALPHABET[byte % 62];
    }
  }
  return out;
}

export function checksumOf(body: string): string {
  return base62Fixed(crc32(body), CHECKSUM_LENGTH);
}

export function generateToken(kind: SecretKind): string {
  const body = `${SecretKinds[kind]}_${randomBase62(RANDOM_LENGTH)}`;
  return body + checksumOf(body);
}

/** A ZAPI key or authtoken by shape and checksum; says nothing about whether it exists. */
export function isWellFormedToken(token: string): boolean {
  return TOKEN_PATTERN.test(token) && hasValidChecksum(token);
}

/** Shape and checksum of a secret of the given kind (appkey, session…). */
export function isWellFormedSecret(secret: string, kind: SecretKind): boolean {
  return SECRET_PATTERN.test(secret) && secret.startsWith(`${SecretKinds[kind]}_`) && hasValidChecksum(secret);
}

function hasValidChecksum(value: string): boolean {
  return checksumOf(value.slice(0, -CHECKSUM_LENGTH)) === value.slice(-CHECKSUM_LENGTH);
}

export function kindOfToken(token: string): TokenKind | undefined {
  const prefix = token.slice(0, 4);
  return (Object.keys(TokenKinds) as TokenKind[]).find((k) => TokenKinds[k] === prefix);
}

/** The parts safe to show again: `zapk_AbCd…wxyz`. */
export function displayParts(token: string): { prefix: string; last4: string } {
  return { prefix: token.slice(0, 9), last4: token.slice(-4) };
}
