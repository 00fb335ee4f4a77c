import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { APP_CONFIG, secretBoxFrom, type SecretBox } from '@zapgate/platform';
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { OAuthConfig } from '../oauth-config.schema';
import { OAuthErrorCodes, OAuthException } from '../oauth.exception';
import { SEALED_FIELDS } from '../sealed-fields';

export interface PendingAuthorization {
  connectorId: string;
  userRef: string;
  codeVerifier: string;
}

/** RFC 7636 S256: the challenge sent with the authorization request. */
export function codeChallenge(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

/**
 * Authorization `state`: an id plus an HMAC over it, so a forged or mangled
 * state is refused before any lookup; the row it names holds the PKCE
 * verifier and is consumed once, within OAUTH_STATE_TTL_SECONDS. The same
 * keys sign authorize links an application hands to its users.
 */
@Injectable()
export class StateService {
  private readonly box: SecretBox;
  private readonly keys: Buffer[];

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: OAuthConfig,
  ) {
    this.box = secretBoxFrom(config.ENCRYPTION_KEYS);
    const { keys, currentKeyId } = config.ENCRYPTION_KEYS;
    // A key of its own per purpose, derived from the encryption keys; the current one signs, every one verifies.
    this.keys = [keys.get(currentKeyId)!, ...[...keys].filter(([id]) => id !== currentKeyId).map(([, k]) => k)].map((k) =>
      createHmac('sha256', k).update('zapgate oauth state v1').digest(),
    );
  }

  async begin(connectorId: string, userRef: string): Promise<{ state: string; codeChallenge: string }> {
    const id = randomUUID();
    const verifier = randomBytes(32).toString('base64url');
    await this.dataSource.query(
      `INSERT INTO "oauth"."auth_state" (id, connector_id, user_ref, code_verifier_sealed, expires_at) VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))`,
      [id, connectorId, userRef, this.box.seal(verifier, SEALED_FIELDS.codeVerifier.aad(id)), this.config.OAUTH_STATE_TTL_SECONDS],
    );
    return { state: `${id}.${this.sign(id)}`, codeChallenge: codeChallenge(verifier) };
  }

  /** The pending authorization, marked used; a second use, an expired or a forged state all get the same 400. */
  async consume(state: string | undefined): Promise<PendingAuthorization> {
    const invalid = new OAuthException(OAuthErrorCodes.InvalidState, 'The state is invalid, expired or already used; start the authorization again.');
    const [id, mac] = (state ?? '').split('.');
    if (!id || !mac || !/^[0-9a-f-]{36}$/.test(id) || !this.verify(id, mac)) throw invalid;
    const [rows] = (await this.dataSource.query(
      `UPDATE "oauth"."auth_state" SET used_at = now() WHERE id = $1 AND used_at IS NULL AND expires_at > now()
       RETURNING connector_id, user_ref, code_verifier_sealed`,
      [id],
    )) as [{ connector_id: string; user_ref: string; code_verifier_sealed: string }[], number];
    const row = rows[0];
    if (!row) throw invalid;
    return { connectorId: row.connector_id, userRef: row.user_ref, codeVerifier: this.box.open(row.code_verifier_sealed, SEALED_FIELDS.codeVerifier.aad(id)) };
  }

  /** Drops states that can no longer be used. */
  async sweep(): Promise<void> {
    await this.dataSource.query(`DELETE FROM "oauth"."auth_state" WHERE expires_at < now() - interval '1 hour'`);
  }

  sign(value: string): string {
    return createHmac('sha256', this.keys[0]).update(value).digest('base64url').slice(0, 32);
  }

  verify(value: string, mac: string): boolean {
    return this.keys.some((key) => {
      const expected = Buffer.from(createHmac('sha256', key).update(value).digest('base64url').slice(0, 32));
      const given = Buffer.from(mac);
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
  }
}
