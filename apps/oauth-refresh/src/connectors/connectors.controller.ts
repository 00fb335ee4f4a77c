import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiTags, ApiSecurity } from '@nestjs/swagger';
import { Audited, CommonCodes, CommonException, dataList, parseOrThrow, TimestampSchema, ZodApiBody, ZodApiResponse } from '@zapgate/platform';
import { z } from 'zod';
import { Access, OwnerAccessGuard, type OwnerAccess } from '@zapgate/token-client';
import { ConnectorsService, type ConnectorRow } from './connectors.service';

const HttpUrl = z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }).max(2000);
const Params = z.record(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/), z.string().max(500)).refine((p) => Object.keys(p).length <= 20, 'at most 20');
const CreateSchema = z
  .object({
    name: z.string().min(1).max(100),
    preset: z.enum(['generic', 'zoho']).default('generic'),
    app_id: z.uuid().nullable().optional(),
    client_id: z.string().min(1).max(500),
    client_secret: z.string().min(1).max(2000),
    authorization_url: HttpUrl.optional(),
    token_url: HttpUrl.optional(),
    refresh_url: HttpUrl.optional(),
    revoke_url: HttpUrl.nullable().optional(),
    scopes: z.array(z.string().min(1).max(200)).max(100).default([]),
    access_type: z.enum(['online', 'offline']).default('offline'),
    redirect_url: HttpUrl.optional(),
    extra_params: Params.default({}),
    /** Zoho: data centre → accounts server, replacing the built-in map (e.g. for a private test server). */
    accounts_servers: z.record(z.string().regex(/^[a-z]{2,10}$/), HttpUrl).optional(),
    refresh_budget: z
      .object({ count: z.number().int().min(1).max(100_000), window_seconds: z.number().int().min(1).max(86_400) })
      .nullable()
      .optional(),
  })
  .strict();
const PatchSchema = z
  .object({
    name: z.string().min(1).max(100).optional(),
    client_secret: z.string().min(1).max(2000).optional(),
    scopes: z.array(z.string().min(1).max(200)).max(100).optional(),
    access_type: z.enum(['online', 'offline']).optional(),
    redirect_url: HttpUrl.optional(),
    revoke_url: HttpUrl.nullable().optional(),
    extra_params: Params.optional(),
  })
  .strict();

const ConnectorSchema = z
  .object({
    id: z.uuid(),
    app_id: z.uuid().nullable(),
    name: z.string(),
    preset: z.enum(['generic', 'zoho']),
    client_id: z.string(),
    authorization_url: z.string(),
    token_url: z.string(),
    refresh_url: z.string(),
    revoke_url: z.string().nullable(),
    scopes: z.array(z.string()),
    access_type: z.enum(['online', 'offline']),
    redirect_url: z.string(),
    extra_params: z.record(z.string(), z.string()),
    accounts_servers: z.record(z.string(), z.string()),
    refresh_budget: z.object({ count: z.number().int(), window_seconds: z.number().int().nullable() }).nullable(),
    created_at: TimestampSchema,
    updated_at: TimestampSchema,
  })
  .meta({ id: 'Connector' });

export const connectorView = (c: ConnectorRow) => ({
  id: c.id,
  app_id: c.app_id,
  name: c.name,
  preset: c.preset,
  client_id: c.client_id,
  authorization_url: c.authorization_url,
  token_url: c.token_url,
  refresh_url: c.refresh_url,
  revoke_url: c.revoke_url,
  scopes: c.scopes,
  access_type: c.access_type,
  redirect_url: c.redirect_url,
  extra_params: c.extra_params,
  accounts_servers: c.accounts_servers,
  refresh_budget: c.refresh_budget ? { count: c.refresh_budget, window_seconds: c.refresh_budget_window_seconds } : null,
  created_at: c.created_at,
  updated_at: c.updated_at,
});

@ApiTags('connectors')
@ApiSecurity('adminKey')
@ApiSecurity('ownerKey')
@Controller('api/v1/connectors')
@UseGuards(OwnerAccessGuard)
export class ConnectorsController {
  constructor(private readonly connectors: ConnectorsService) {}

  @Post()
  @ZodApiBody(CreateSchema)
  @ZodApiResponse(ConnectorSchema, { status: 201 })
  @ApiOperation({ summary: 'Register an OAuth client (preset zoho or generic); the client secret is stored sealed and never shown again' })
  @Audited('connector.created', { target: 'connector', id: 'response' })
  async create(@Body() body: unknown, @Access() access: OwnerAccess) {
    const b = parseOrThrow(CreateSchema, body);
    if (access.role === 'application' && b.app_id && b.app_id !== access.appId) {
      throw new CommonException(CommonCodes.Forbidden, 'An application may register connectors only for itself.');
    }
    const row = await this.connectors.create({
      appId: access.role === 'application' ? access.appId : (b.app_id ?? null),
      name: b.name,
      preset: b.preset,
      clientId: b.client_id,
      clientSecret: b.client_secret,
      authorizationUrl: b.authorization_url,
      tokenUrl: b.token_url,
      refreshUrl: b.refresh_url,
      revokeUrl: b.revoke_url,
      scopes: b.scopes,
      accessType: b.access_type,
      redirectUrl: b.redirect_url,
      extraParams: b.extra_params,
      accountsServers: b.accounts_servers,
      refreshBudget:
        b.refresh_budget === undefined ? undefined : b.refresh_budget && { count: b.refresh_budget.count, windowSeconds: b.refresh_budget.window_seconds },
    });
    return connectorView(row);
  }

  @Get()
  @ApiOperation({ summary: 'Connectors (an application owner sees its own)' })
  @ZodApiResponse(dataList(ConnectorSchema))
  async list(@Access() access: OwnerAccess) {
    return { data: (await this.connectors.list(access)).map(connectorView) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'A connector (never its client secret)' })
  @ZodApiResponse(ConnectorSchema)
  async get(@Param('id') id: string, @Access() access: OwnerAccess) {
    return connectorView(await this.connectors.visible(id, access));
  }

  @Patch(':id')
  @ZodApiBody(PatchSchema)
  @ApiOperation({ summary: 'Change a connector: name, secret, scopes, URLs, extra parameters' })
  @ZodApiResponse(ConnectorSchema)
  @Audited('connector.updated', { target: 'connector', id: 'id' })
  async update(@Param('id') id: string, @Body() body: unknown, @Access() access: OwnerAccess) {
    await this.connectors.visible(id, access);
    const b = parseOrThrow(PatchSchema, body);
    return connectorView(
      await this.connectors.update(id, {
        name: b.name,
        clientSecret: b.client_secret,
        scopes: b.scopes,
        accessType: b.access_type,
        redirectUrl: b.redirect_url,
        revokeUrl: b.revoke_url,
        extraParams: b.extra_params,
      }),
    );
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a connector and its connections (tokens are not revoked at the provider; revoke connections first)' })
  @Audited('connector.deleted', { target: 'connector', id: 'id' })
  async remove(@Param('id') id: string, @Access() access: OwnerAccess): Promise<void> {
    await this.connectors.visible(id, access);
    await this.connectors.remove(id);
  }
}
