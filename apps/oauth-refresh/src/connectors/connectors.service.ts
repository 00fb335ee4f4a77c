import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { APP_CONFIG, CommonException, secretBoxFrom, SsrfGuard, type SecretBox } from '@zapgate/platform';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { canSee, type OwnerAccess } from '@zapgate/token-client';
import type { OAuthConfig } from '../oauth-config.schema';
import { OAuthErrorCodes, OAuthException } from '../oauth.exception';
import { SEALED_FIELDS } from '../sealed-fields';
import { PRESETS, type PresetName } from './connector-presets';

export interface ConnectorRow {
  id: string;
  app_id: string | null;
  name: string;
  preset: PresetName;
  client_id: string;
  client_secret_sealed: string;
  authorization_url: string;
  token_url: string;
  refresh_url: string;
  revoke_url: string | null;
  scopes: string[];
  access_type: 'online' | 'offline';
  redirect_url: string;
  extra_params: Record<string, string>;
  accounts_servers: Record<string, string>;
  refresh_budget: number | null;
  refresh_budget_window_seconds: number | null;
  created_at: Date;
  updated_at: Date;
}

export interface ConnectorInput {
  appId: string | null;
  name: string;
  preset: PresetName;
  clientId: string;
  clientSecret: string;
  authorizationUrl?: string;
  tokenUrl?: string;
  refreshUrl?: string;
  revokeUrl?: string | null;
  scopes: string[];
  accessType: 'online' | 'offline';
  redirectUrl?: string;
  extraParams: Record<string, string>;
  accountsServers?: Record<string, string>;
  refreshBudget?: { count: number; windowSeconds: number } | null;
}

/** OAuth clients registered at providers. The client secret is sealed with the connector id as associated data. */
@Injectable()
export class ConnectorsService {
  readonly box: SecretBox;
  private readonly guard: SsrfGuard;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: OAuthConfig,
  ) {
    this.box = secretBoxFrom(config.ENCRYPTION_KEYS);
    this.guard = new SsrfGuard(config.OUTBOUND_ALLOWED_CIDRS);
  }

  async create(input: ConnectorInput): Promise<ConnectorRow> {
    const preset = PRESETS[input.preset];
    const pick = (given: string | undefined, fallback: string, field: string) => {
      const value = given ?? fallback;
      if (!value) throw CommonException.invalid([{ path: field, message: `required for the ${input.preset} preset` }]);
      return value;
    };
    const urls = {
      authorization_url: pick(input.authorizationUrl, preset.authorizationUrl, 'authorization_url'),
      token_url: pick(input.tokenUrl, preset.tokenUrl, 'token_url'),
      refresh_url: input.refreshUrl ?? input.tokenUrl ?? pick(undefined, preset.refreshUrl, 'refresh_url'),
      revoke_url: input.revokeUrl === undefined ? preset.revokeUrl : input.revokeUrl,
    };
    // Every endpoint the platform (or the user's browser, for authorization) will be sent to, refused now when internal.
    for (const [field, url] of Object.entries(urls)) if (url) await this.guard.refuseUnsafe(url, field);
    for (const [dc, url] of Object.entries(input.accountsServers ?? {})) await this.guard.refuseUnsafe(url, `accounts_servers.${dc}`);
    const id = randomUUID();
    const budget = input.refreshBudget === undefined ? preset.refreshBudget : input.refreshBudget;
    await this.dataSource.query(
      `INSERT INTO "oauth"."connector" (id, app_id, name, preset, client_id, client_secret_sealed, authorization_url, token_url, refresh_url, revoke_url,
         scopes, access_type, redirect_url, extra_params, accounts_servers, refresh_budget, refresh_budget_window_seconds)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
      [
        id,
        input.appId,
        input.name,
        input.preset,
        input.clientId,
        this.box.seal(input.clientSecret, SEALED_FIELDS.clientSecret.aad(id)),
        urls.authorization_url,
        urls.token_url,
        urls.refresh_url,
        urls.revoke_url,
        input.scopes,
        input.accessType,
        input.redirectUrl ?? `${this.config.PUBLIC_OAUTH_URL.replace(/\/$/, '')}/api/v1/oauth/callback`,
        input.extraParams,
        input.accountsServers ?? preset.accountsServers,
        budget?.count ?? null,
        budget?.windowSeconds ?? null,
      ],
    );
    return this.row(id);
  }

  async row(id: string): Promise<ConnectorRow> {
    const [row] = /^[0-9a-f-]{36}$/i.test(id) ? ((await this.dataSource.query(`SELECT * FROM "oauth"."connector" WHERE id = $1`, [id])) as ConnectorRow[]) : [];
    if (!row) throw new OAuthException(OAuthErrorCodes.ConnectorNotFound, 'No such connector.');
    return row;
  }

  /** The connector if the caller may manage it; the same 404 otherwise. */
  async visible(id: string, access: OwnerAccess): Promise<ConnectorRow> {
    const row = await this.row(id);
    if (!canSee(access, row.app_id)) throw new OAuthException(OAuthErrorCodes.ConnectorNotFound, 'No such connector.');
    return row;
  }

  list(access: OwnerAccess): Promise<ConnectorRow[]> {
    return this.dataSource.query(`SELECT * FROM "oauth"."connector" WHERE $1::uuid IS NULL OR app_id = $1 ORDER BY created_at DESC LIMIT 500`, [
      access.role === 'operator' ? null : access.appId,
    ]);
  }

  async update(
    id: string,
    patch: Partial<Pick<ConnectorInput, 'name' | 'clientSecret' | 'scopes' | 'accessType' | 'extraParams' | 'redirectUrl' | 'revokeUrl'>>,
  ) {
    if (patch.revokeUrl) await this.guard.refuseUnsafe(patch.revokeUrl, 'revoke_url');
    await this.dataSource.query(
      `UPDATE "oauth"."connector" SET name = coalesce($2, name), client_secret_sealed = coalesce($3, client_secret_sealed),
         scopes = coalesce($4, scopes), access_type = coalesce($5, access_type), extra_params = coalesce($6, extra_params),
         redirect_url = coalesce($7, redirect_url), revoke_url = CASE WHEN $8::boolean THEN $9 ELSE revoke_url END, updated_at = now()
       WHERE id = $1`,
      [
        id,
        patch.name ?? null,
        patch.clientSecret ? this.box.seal(patch.clientSecret, SEALED_FIELDS.clientSecret.aad(id)) : null,
        patch.scopes ?? null,
        patch.accessType ?? null,
        patch.extraParams ?? null,
        patch.redirectUrl ?? null,
        patch.revokeUrl !== undefined,
        patch.revokeUrl ?? null,
      ],
    );
    return this.row(id);
  }

  async remove(id: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM "oauth"."connector" WHERE id = $1`, [id]);
  }

  clientSecret(row: ConnectorRow): string {
    return this.box.open(row.client_secret_sealed, SEALED_FIELDS.clientSecret.aad(row.id));
  }
}
