import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { z } from 'zod';

/**
 * AES-256-GCM for secrets Zapgate must be able to read back (webhook signing
 * secrets, stored third-party credentials). Sealed form:
 * `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url), so a key rotation can
 * re-seal everything under a new key id while old rows still open.
 */
export class SecretBox {
  constructor(
    private readonly keys: ReadonlyMap<string, Buffer>,
    readonly currentKeyId: string,
  ) {
    if (!keys.has(currentKeyId)) throw new Error(`no key with id ${currentKeyId}`);
  }

  seal(plaintext: string, associatedData = ''): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentKeyId)!, iv);
    cipher.setAAD(Buffer.from(associatedData));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', this.currentKeyId, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
  }

  open(sealed: string, associatedData = ''): string {
    const [version, keyId, iv, tag, ciphertext] = sealed.split('.');
    const key = this.keys.get(keyId);
    if (version !== 'v1' || !key || !iv || !tag || ciphertext === undefined) throw new Error('cannot open this sealed value');
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(associatedData));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  }

  keyIdOf(sealed: string): string {
    return sealed.split('.')[1];
  }
}

/**
 * `ENCRYPTION_KEYS`: `id:base64key[,id:base64key…]`, 32-byte keys; the first
 * is used for new values, the others only to open old ones.
 */
export const encryptionKeysSchema = z.string().transform((value, ctx) => {
  const keys = new Map<string, Buffer>();
  for (const entry of value
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const [id, b64] = entry.split(':');
    const key = b64 ? Buffer.from(b64, 'base64') : Buffer.alloc(0);
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(id ?? '') || key.length !== 32) {
      ctx.addIssue({ code: 'custom', message: 'each entry must be id:base64 of 32 bytes (e.g. k1:$(openssl rand -base64 32))' });
      return z.NEVER;
    }
    keys.set(id, key);
  }
  if (!keys.size) {
    ctx.addIssue({ code: 'custom', message: 'give at least one key' });
    return z.NEVER;
  }
  return { keys, currentKeyId: [...keys.keys()][0] };
});

export function secretBoxFrom(config: { keys: Map<string, Buffer>; currentKeyId: string }): SecretBox {
  return new SecretBox(config.keys, config.currentKeyId);
}
