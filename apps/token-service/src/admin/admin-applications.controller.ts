import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, UseGuards } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { encodeCursor, parseOrThrow, ZodApiBody, AdminKeyGuard, Audited } from '@zapgate/platform';
import { PageQuerySchema } from '../directory/directory.dto';
import { DirectoryRepository } from '../directory/directory.repository';
import type { ApplicationEntity } from '../applications/application.entity';
import { ApplicationsService } from '../applications/applications.service';
import { CreateApplicationSchema, IdParamSchema, UpdateApplicationSchema } from './admin.dto';

const applicationView = (a: ApplicationEntity) => ({
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
@ApiHeader({ name: 'X-Admin-Key', required: true })
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
  async list(@Query() query: unknown) {
    const q = parseOrThrow(PageQuerySchema, query);
    const page = await this.directory.applications(q.limit, q.cursor);
    return { data: page.rows.map(applicationView), next_cursor: encodeCursor(page.next) };
  }

  @Get(':appId')
  @ApiOperation({ summary: 'Show an application' })
  async get(@Param('appId') appId: string) {
    return applicationView(await this.applications.get(parseOrThrow(IdParamSchema, appId, 'appId')));
  }

  @Patch(':appId')
  @ApiOperation({ summary: 'Update an application' })
  @ZodApiBody(UpdateApplicationSchema)
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
  @Audited('application.appkey_rotated', { target: 'application', id: 'appId' })
  async rotateAppkey(@Param('appId') appId: string) {
    const { application, appkey } = await this.applications.rotateAppkey(parseOrThrow(IdParamSchema, appId, 'appId'));
    return { ...applicationView(application), appkey };
  }

  @Post(':appId/owner-key/rotate')
  @HttpCode(201)
  @ApiOperation({ summary: 'Issue a new owner key (the first one for applications made before owner keys); the old one stops working at once' })
  @Audited('application.owner_key_rotated', { target: 'application', id: 'appId' })
  async rotateOwnerKey(@Param('appId') appId: string) {
    const { application, ownerKey } = await this.applications.rotateOwnerKey(parseOrThrow(IdParamSchema, appId, 'appId'));
    return { ...applicationView(application), owner_key: ownerKey };
  }
}
