import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { APP_CONFIG, secretBoxFrom, type SecretBox } from '@zapgate/platform';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { canSee, type OwnerAccess } from '@zapgate/token-client';
import { ConnectorsService } from '../connectors/connectors.service';
import type { OAuthConfig } from '../oauth-config.schema';
import { OAuthErrorCodes, OAuthException } from '../oauth.exception';
import type { TokenAnswer } from '../provider/provider-client.service';
import { SEALED_FIELDS } from '../sealed-fields';

/**
 * An active connection with no refresh token (online access) whose access token has expired can do
 * nothing until its user authorizes again: it reads as reauth_required. Nothing is written — the
 * moment it expires is the moment it changes. Selected after `c.*`, so this `status` is the one a
 * row carries (node-postgres keeps the last of two same-named columns).
 */
const EFFECTIVE_STATUS_SQL = `(CASE WHEN c.status = 'active' AND c.refresh_token_sealed IS NULL AND c.expires_at <= now() THEN 'reauth_required' ELSE c.status END)`;
const EFFECTIVE_STATUS = `${EFFECTIVE_STATUS_SQL} AS status`;

export interface ConnectionRow {
  id: string;
  connector_id: string;
  user_ref: string;
  status: 'active' | 'reauth_required' | 'revoked';
  access_token_sealed: string | null;
  refresh_token_sealed: string | null;
  token_type: string;
  scope: string | null;
  expires_at: Date | null;
  api_domain: string | null;
  token_host: string | null;
  generation: number;
  refresh_at: Date | null;
  lease_token: string | null;
  lease_until: Date | null;
  failures: number;
  last_error: { code: string; message: string } | null;
  last_refreshed_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** Without an expiry a token is still refreshed daily, so a refresh token never lapses from disuse. */
const UNKNOWN_EXPIRY_REFRESH_SECONDS = 86_400;

/** Users' tokens, sealed per connection and field. */
@Injectable()
export class ConnectionsService {
  readonly box: SecretBox;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly connectors: ConnectorsService,
    @Inject(APP_CONFIG) private readonly config: OAuthConfig,
  ) {
    this.box = secretBoxFrom(config.ENCRYPTION_KEYS);
  }

  sealAccess = (id: string, token: string) => this.box.seal(token, SEALED_FIELDS.accessToken.aad(id));
  sealRefresh = (id: string, token: string) => this.box.seal(token, SEALED_FIELDS.refreshToken.aad(id));

  accessToken(row: ConnectionRow): string | null {
    return row.access_token_sealed ? this.box.open(row.access_token_sealed, SEALED_FIELDS.accessToken.aad(row.id)) : null;
  }

  refreshToken(row: ConnectionRow): string | null {
    return row.refresh_token_sealed ? this.box.open(row.refresh_token_sealed, SEALED_FIELDS.refreshToken.aad(row.id)) : null;
  }

  /** Seconds before expiry to refresh: the margin, at most half the token's life, less a random jitter. */
  refreshLead(expiresIn: number): number {
    const margin = Math.min(this.config.REFRESH_MARGIN_SECONDS, expiresIn / 2);
    return margin + Math.random() * Math.min(this.config.REFRESH_JITTER_SECONDS, expiresIn / 10);
  }

  /** When to refresh a token that lives `expiresIn` seconds from now; null when it cannot be refreshed. */
  refreshAt(answer: { expiresIn: number | null }, hasRefreshToken: boolean, now = Date.now()): Date | null {
    if (!hasRefreshToken) return null;
    if (answer.expiresIn === null) return new Date(now + UNKNOWN_EXPIRY_REFRESH_SECONDS * 1000);
    return new Date(now + (answer.expiresIn - this.refreshLead(answer.expiresIn)) * 1000);
  }

  /** Stores what a code exchange returned: a new connection, or new tokens for the user's existing one. */
  async saveAuthorized(connectorId: string, userRef: string, answer: TokenAnswer, tokenHost: string | null): Promise<ConnectionRow> {
    const [existing] = (await this.dataSource.query(`SELECT id FROM "oauth"."connection" WHERE connector_id = $1 AND user_ref = $2`, [
      connectorId,
      userRef,
    ])) as { id: string }[];
    const id = existing?.id ?? randomUUID();
    const expiresAt = answer.expiresIn === null ? null : new Date(Date.now() + answer.expiresIn * 1000);
    await this.dataSource.query(
      `INSERT INTO "oauth"."connection" (id, connector_id, user_ref, status, access_token_sealed, refresh_token_sealed, token_type, scope, expires_at,
         api_domain, token_host, refresh_at, last_refreshed_at)
       VALUES ($1, $2, $3, 'active', $4, $5, $6, $7, $8, $9, $10, $11, now())
       ON CONFLICT (connector_id, user_ref) DO UPDATE SET status = 'active', access_token_sealed = excluded.access_token_sealed,
         refresh_token_sealed = coalesce(excluded.refresh_token_sealed, "connection".refresh_token_sealed), token_type = excluded.token_type,
         scope = excluded.scope, expires_at = excluded.expires_at, api_domain = excluded.api_domain, token_host = excluded.token_host,
         refresh_at = excluded.refresh_at, generation = "connection".generation + 1, lease_token = NULL, lease_until = NULL,
         failures = 0, last_error = NULL, last_refreshed_at = now(), updated_at = now()`,
      [
        id,
        connectorId,
        userRef,
        this.sealAccess(id, answer.accessToken),
        answer.refreshToken ? this.sealRefresh(id, answer.refreshToken) : null,
        answer.tokenType,
        answer.scope,
        expiresAt,
        answer.apiDomain,
        tokenHost,
        this.refreshAt(answer, Boolean(answer.refreshToken) || Boolean(existing)),
      ],
    );
    return this.row(id);
  }

  async row(id: string): Promise<ConnectionRow> {
    const [row] = /^[0-9a-f-]{36}$/i.test(id)
      ? ((await this.dataSource.query(`SELECT c.*, ${EFFECTIVE_STATUS} FROM "oauth"."connection" c WHERE c.id = $1`, [id])) as ConnectionRow[])
      : [];
    if (!row) throw new OAuthException(OAuthErrorCodes.ConnectionNotFound, 'No such connection.');
    return row;
  }

  /** The connection if the caller may use its connector; the same 404 otherwise. */
  async visible(id: string, access: OwnerAccess): Promise<ConnectionRow> {
    const row = await this.row(id);
    const connector = await this.connectors.row(row.connector_id);
    if (!canSee(access, connector.app_id)) throw new OAuthException(OAuthErrorCodes.ConnectionNotFound, 'No such connection.');
    return row;
  }

  list(access: OwnerAccess, filter: { connectorId?: string; userRef?: string; status?: string }): Promise<ConnectionRow[]> {
    return this.dataSource.query(
      `SELECT c.*, ${EFFECTIVE_STATUS} FROM "oauth"."connection" c JOIN "oauth"."connector" k ON k.id = c.connector_id
       WHERE ($1::uuid IS NULL OR k.app_id = $1) AND ($2::uuid IS NULL OR c.connector_id = $2) AND ($3::text IS NULL OR c.user_ref = $3)
         AND ($4::text IS NULL OR ${EFFECTIVE_STATUS_SQL} = $4)
       ORDER BY c.created_at DESC LIMIT 500`,
      [access.role === 'operator' ? null : access.appId, filter.connectorId ?? null, filter.userRef ?? null, filter.status ?? null],
    );
  }

  /** Revoked: the tokens are gone from this database; the row stays as a record. */
  async markRevoked(id: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE "oauth"."connection" SET status = 'revoked', access_token_sealed = NULL, refresh_token_sealed = NULL, refresh_at = NULL,
         lease_token = NULL, lease_until = NULL, generation = generation + 1, updated_at = now() WHERE id = $1`,
      [id],
    );
  }
}
