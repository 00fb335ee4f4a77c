import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiTags, ApiSecurity } from '@nestjs/swagger';
import { AdminKeyGuard, Audited, dataPage, encodeCursor, parseOrThrow, TimestampSchema, ZodApiBody, ZodApiQuery, ZodApiResponse } from '@zapgate/platform';
import { z } from 'zod';
import { PageQuerySchema } from '../directory/directory.dto';
import { DirectoryRepository } from '../directory/directory.repository';
import type { ApplicationEntity } from '../applications/application.entity';
import { ApplicationsService } from '../applications/applications.service';
import { CreateApplicationSchema, IdParamSchema, UpdateApplicationSchema } from './admin.dto';

const ApplicationViewSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    owner_email: z.string(),
    appkey_prefix: z.string(),
    owner_key_prefix: z.string().nullable().describe('null for applications made before owner keys: rotate to issue one'),
    handler_urls: z.object({ incoming: z.string().optional(), function: z.string().optional() }),
    allowed_scopes: z.array(z.string()),
    max_tokens_per_user: z.number().int(),
    created_at: TimestampSchema,
    updated_at: TimestampSchema,
  })
  .meta({ id: 'Application' });
const secret = (what: string) => z.string().describe(`${what}; shown only in this answer`);

const applicationView = (a: ApplicationEntity): z.infer<typeof ApplicationViewSchema> => ({
  id: a.id,
  name: a.name,
  owner_email: a.ownerEmail,
  appkey_prefix: a.appkeyPrefix,
  owner_key_prefix: a.ownerKeyPrefix,
  handler_urls: a.handlerUrls,
  allowed_scopes: a.allowedScopes,
  max_tokens_per_user: a.maxTokensPerUser,
  created_at: a.createdAt.toISOString(),
  updated_at: a.updatedAt.toISOString(),
});

@ApiTags('operator')
@ApiSecurity('adminKey')
@UseGuards(AdminKeyGuard)
@Controller('api/v1/admin/applications')
export class AdminApplicationsController {
  constructor(
    private readonly applications: ApplicationsService,
    private readonly directory: DirectoryRepository,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Register an application (extension); the appkey and the owner key are in this answer only' })
  @ZodApiBody(CreateApplicationSchema)
  @ZodApiResponse(ApplicationViewSchema.extend({ appkey: secret('the appkey'), owner_key: secret('the owner key') }), { status: 201 })
  @Audited('application.created', { target: 'application', id: 'response' })
  async create(@Body() body: unknown) {
    const input = parseOrThrow(CreateApplicationSchema, body);
    const { application, appkey, ownerKey } = await this.applications.create({
      name: input.name,
      ownerEmail: input.owner_email,
      handlerUrls: input.handler_urls,
      allowedScopes: input.allowed_scopes,
      maxTokensPerUser: input.max_tokens_per_user,
    });
    return { ...applicationView(application), appkey, owner_key: ownerKey };
  }

  @Get()
  @ApiOperation({ summary: 'List applications, newest first (cursor pagination)' })
  @ZodApiQuery(PageQuerySchema)
  @ZodApiResponse(dataPage(ApplicationViewSchema))
  async list(@Query() query: unknown) {
    const q = parseOrThrow(PageQuerySchema, query);
    const page = await this.directory.applications(q.limit, q.cursor);
    return { data: page.rows.map(applicationView), next_cursor: encodeCursor(page.next) };
  }

  @Get(':appId')
  @ApiOperation({ summary: 'Show an application' })
  @ZodApiResponse(ApplicationViewSchema)
  async get(@Param('appId') appId: string) {
    return applicationView(await this.applications.get(parseOrThrow(IdParamSchema, appId, 'appId')));
  }

  @Patch(':appId')
  @ApiOperation({ summary: 'Update an application' })
  @ZodApiBody(UpdateApplicationSchema)
  @ZodApiResponse(ApplicationViewSchema)
  @Audited('application.updated', { target: 'application', id: 'appId' })
  async update(@Param('appId') appId: string, @Body() body: unknown) {
    const patch = parseOrThrow(UpdateApplicationSchema, body);
    return applicationView(
      await this.applications.update(parseOrThrow(IdParamSchema, appId, 'appId'), {
        ...(patch.name !== undefined && { name: patch.name }),
        ...(patch.owner_email !== undefined && { ownerEmail: patch.owner_email }),
        ...(patch.handler_urls !== undefined && { handlerUrls: patch.handler_urls }),
        ...(patch.allowed_scopes !== undefined && { allowedScopes: patch.allowed_scopes }),
        ...(patch.max_tokens_per_user !== undefined && { maxTokensPerUser: patch.max_tokens_per_user }),
      }),
    );
  }

  @Post(':appId/appkey/rotate')
  @HttpCode(201)
  @ApiOperation({ summary: 'Issue a new appkey; the old one stops working at once' })
  @ZodApiResponse(ApplicationViewSchema.extend({ appkey: secret('the new appkey') }), { status: 201 })
  @Audited('application.appkey_rotated', { target: 'application', id: 'appId' })
  async rotateAppkey(@Param('appId') appId: string) {
    const { application, appkey } = await this.applications.rotateAppkey(parseOrThrow(IdParamSchema, appId, 'appId'));
    return { ...applicationView(application), appkey };
  }

  @Post(':appId/owner-key/rotate')
  @HttpCode(201)
  @ApiOperation({ summary: 'Issue a new owner key (the first one for applications made before owner keys); the old one stops working at once' })
  @ZodApiResponse(ApplicationViewSchema.extend({ owner_key: secret('the new owner key') }), { status: 201 })
  @Audited('application.owner_key_rotated', { target: 'application', id: 'appId' })
  async rotateOwnerKey(@Param('appId') appId: string) {
    const { application, ownerKey } = await this.applications.rotateOwnerKey(parseOrThrow(IdParamSchema, appId, 'appId'));
    return { ...applicationView(application), owner_key: ownerKey };
  }
}
