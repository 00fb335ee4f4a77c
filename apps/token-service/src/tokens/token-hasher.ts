import { createHmac } from 'node:crypto';

/** Keyed hash of a token: a leaked table cannot be brute-forced without the pepper. */
export class TokenHasher {
  constructor(private readonly pepper: string) {}

  hash(token: string): Buffer {
    return createHmac('sha256', this.pepper).update(token).digest();
  }
}
