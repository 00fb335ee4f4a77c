import { Controller, Delete, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiTags, ApiSecurity } from '@nestjs/swagger';
import { Audited, dataList, parseOrThrow, TimestampSchema, ZodApiQuery, ZodApiResponse } from '@zapgate/platform';
import { z } from 'zod';
import { Access, OwnerAccessGuard, type OwnerAccess } from '@zapgate/token-client';
import { ConnectorsService } from '../connectors/connectors.service';
import { OAuthErrorCodes, OAuthException } from '../oauth.exception';
import { ProviderClient, ProviderError } from '../provider/provider-client.service';
import { RefreshService } from '../refresh/refresh.service';
import { ConnectionsService, type ConnectionRow } from './connections.service';

const ListQuery = z.looseObject({
  connector_id: z.uuid().optional(),
  user: z.string().max(200).optional(),
  status: z.enum(['active', 'reauth_required', 'revoked']).optional(),
});

const ErrorSchema = z.object({ code: z.string(), message: z.string() });
const ConnectionSchema = z
  .object({
    id: z.uuid(),
    connector_id: z.uuid(),
    user: z.string().describe('whose connection: the user reference given when it was authorized'),
    status: z.enum(['active', 'reauth_required', 'revoked']),
    scope: z.string().nullable(),
    token_type: z.string(),
    expires_at: TimestampSchema.nullable(),
    api_domain: z.string().nullable(),
    generation: z.number().int().describe('how many times its tokens were replaced'),
    next_refresh_at: TimestampSchema.nullable(),
    last_refreshed_at: TimestampSchema.nullable(),
    failures: z.number().int(),
    last_error: ErrorSchema.nullable(),
    created_at: TimestampSchema,
  })
  .meta({ id: 'Connection' });
const AccessTokenSchema = z.object({
  connection_id: z.uuid(),
  access_token: z.string().nullable(),
  token_type: z.string(),
  expires_at: TimestampSchema.nullable(),
  api_domain: z.string().nullable(),
  scope: z.string().nullable(),
});

export const connectionView = (c: ConnectionRow) => ({
  id: c.id,
  connector_id: c.connector_id,
  user: c.user_ref,
  status: c.status,
  scope: c.scope,
  token_type: c.token_type,
  expires_at: c.expires_at,
  api_domain: c.api_domain,
  generation: c.generation,
  next_refresh_at: c.refresh_at,
  last_refreshed_at: c.last_refreshed_at,
  failures: c.failures,
  last_error: c.last_error,
  created_at: c.created_at,
});

export const tokenView = (c: ConnectionRow, accessToken: string | null) => ({
  connection_id: c.id,
  access_token: accessToken,
  token_type: c.token_type,
  expires_at: c.expires_at,
  api_domain: c.api_domain,
  scope: c.scope,
});

@ApiTags('connections')
@ApiSecurity('adminKey')
@ApiSecurity('ownerKey')
@Controller('api/v1/connections')
@UseGuards(OwnerAccessGuard)
export class ConnectionsController {
  constructor(
    private readonly connections: ConnectionsService,
    private readonly connectors: ConnectorsService,
    private readonly refresher: RefreshService,
    private readonly provider: ProviderClient,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Connections, newest first (filters: connector_id, user, status)' })
  @ZodApiQuery(ListQuery)
  @ZodApiResponse(dataList(ConnectionSchema))
  async list(@Query() query: unknown, @Access() access: OwnerAccess) {
    const q = parseOrThrow(ListQuery, query);
    return { data: (await this.connections.list(access, { connectorId: q.connector_id, userRef: q.user, status: q.status })).map(connectionView) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'A connection: status, expiry, next refresh, last error (never its tokens)' })
  @ZodApiResponse(ConnectionSchema)
  async get(@Param('id') id: string, @Access() access: OwnerAccess) {
    return connectionView(await this.connections.visible(id, access));
  }

  @Get(':id/token')
  @ApiOperation({ summary: 'A valid access token: stored while it has more than the margin left, refreshed on the spot otherwise' })
  @ZodApiResponse(AccessTokenSchema)
  async token(@Param('id') id: string, @Access() access: OwnerAccess) {
    await this.connections.visible(id, access);
    const row = await this.refresher.validToken(id);
    return tokenView(row, this.connections.accessToken(row));
  }

  @Post(':id/refresh')
  @HttpCode(200)
  @ApiOperation({ summary: 'Refresh now, whatever the expiry' })
  @ZodApiResponse(ConnectionSchema)
  @Audited('connection.refreshed', { target: 'connection', id: 'id' })
  async refresh(@Param('id') id: string, @Access() access: OwnerAccess) {
    await this.connections.visible(id, access);
    return connectionView(await this.refresher.refresh(id, 'manual', true));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke at the provider (the refresh token, which ends its access tokens too) and delete the tokens here' })
  @Audited('connection.revoked', { target: 'connection', id: 'id' })
  async revoke(@Param('id') id: string, @Access() access: OwnerAccess): Promise<void> {
    const row = await this.connections.visible(id, access);
    const connector = await this.connectors.row(row.connector_id);
    const refreshToken = this.connections.refreshToken(row);
    const accessToken = this.connections.accessToken(row);
    try {
      if (refreshToken) await this.provider.revoke(connector, refreshToken, 'refresh_token', row.token_host);
      else if (accessToken) await this.provider.revoke(connector, accessToken, 'access_token', row.token_host);
    } catch (err) {
      if (!(err instanceof ProviderError)) throw err;
      // The provider could not be reached: keep the tokens so the revocation can be tried again.
      if (err.kind === 'transient')
        throw new OAuthException(OAuthErrorCodes.ProviderUnavailable, 'The provider could not be reached to revoke; nothing was deleted. Try again.');
    }
    await this.connections.markRevoked(row.id);
  }
}
