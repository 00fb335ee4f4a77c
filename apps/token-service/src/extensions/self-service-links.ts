import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@zapgate/platform';
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { TokenConfig } from '../token-config.schema';
import { TokenErrorCodes, TokenException } from '../tokens/token.exception';

export interface SelfServiceGrant {
  userId: string;
  appId: string;
  expiresAt: Date;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Signed links that let a user made by a token button — who has no password —
 * see and revoke their own tokens of one extension, as Cliq users can. The
 * link names the user, the application and an expiry, signed with a key
 * derived from TOKEN_PEPPER; it can list and revoke, never mint.
 */
@Injectable()
export class SelfServiceLinks {
  private readonly key: Buffer;

  constructor(@Inject(APP_CONFIG) private readonly config: TokenConfig) {
    this.key = createHmac('sha256', config.TOKEN_PEPPER).update('zapgate self-service link v1').digest();
  }

  /** The `?link=` value and the page's URL for one user of one application. */
  issue(userId: string, appId: string, now = Date.now()): { link: string; url: string; expiresAt: Date } {
    const expires = Math.floor(now / 1000) + this.config.SELF_SERVICE_LINK_TTL_SECONDS;
    const body = `${userId}.${appId}.${expires}`;
    const link = `${body}.${this.sign(body)}`;
    const url = new URL('/api/v1/self/tokens', this.config.PUBLIC_TOKEN_URL);
    url.searchParams.set('link', link);
    return { link, url: url.toString(), expiresAt: new Date(expires * 1000) };
  }

  /** The grant a link carries; a forged, altered or expired one is a 401. */
  verify(link: string | undefined): SelfServiceGrant {
    const denied = new TokenException(TokenErrorCodes.InvalidLink, 'The link is invalid or has expired; ask the extension for a new one.');
    const parts = (link ?? '').split('.');
    if (parts.length !== 4) throw denied;
    const [userId, appId, expires, signature] = parts;
    if (!UUID.test(userId) || !UUID.test(appId) || !/^\d{1,12}$/.test(expires)) throw denied;
    const expected = Buffer.from(this.sign(`${userId}.${appId}.${expires}`));
    const presented = Buffer.from(signature);
    if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) throw denied;
    if (Number(expires) * 1000 <= Date.now()) throw denied;
    return { userId, appId, expiresAt: new Date(Number(expires) * 1000) };
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}
