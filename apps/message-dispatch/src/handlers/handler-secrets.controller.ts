import { Body, Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiTags, ApiSecurity } from '@nestjs/swagger';
import { Audited, parseOrThrow, ZodApiBody, ZodApiResponse } from '@zapgate/platform';
import { OwnerAccessGuard } from '@zapgate/token-client';
import { z } from 'zod';
import { DispatchErrorCodes, DispatchException } from '../dispatch.exception';
import { Directory } from './directory.service';
import { HandlerSecrets } from './handler-secret.service';
import { RotateSecretSchema } from './secret-ring';

const AppIdSchema = z.uuid();
const HandlerSecretSchema = z.object({ app_id: z.uuid(), scheme: z.literal('standard-webhooks'), secret: z.string() });

/** The application owner's view of the secret that signs calls to their extension's handlers. */
@ApiTags('handlers')
@ApiSecurity('adminKey')
@ApiSecurity('ownerKey')
@Controller('api/v1/applications/:appId/handler-secret')
@UseGuards(OwnerAccessGuard)
export class HandlerSecretsController {
  constructor(
    private readonly secrets: HandlerSecrets,
    private readonly directory: Directory,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The whsec_ secret handler calls are signed with (Standard Webhooks); made on first read' })
  @ZodApiResponse(HandlerSecretSchema)
  async get(@Param('appId') appId: string) {
    await this.mustExist(appId);
    return { app_id: appId, scheme: 'standard-webhooks', secret: await this.secrets.current(appId) };
  }

  @Post('rotate')
  @HttpCode(200)
  @ZodApiBody(RotateSecretSchema)
  @ZodApiResponse(HandlerSecretSchema.extend({ previous_valid_for_seconds: z.number().int() }))
  @ApiOperation({ summary: 'A new secret; the old one also signs for grace_seconds (default a day)' })
  @Audited('handler_secret.rotated', { target: 'application', id: 'appId' })
  async rotate(@Param('appId') appId: string, @Body() body: unknown) {
    const { grace_seconds } = parseOrThrow(RotateSecretSchema, body ?? {});
    await this.mustExist(appId);
    return { app_id: appId, scheme: 'standard-webhooks', secret: await this.secrets.rotate(appId, grace_seconds), previous_valid_for_seconds: grace_seconds };
  }

  /** An owner key proves the application exists; the operator's key does not, and a secret is made on first read. */
  private async mustExist(appId: string): Promise<void> {
    const found = AppIdSchema.safeParse(appId).success && (await this.directory.application(appId)).found;
    if (!found) throw new DispatchException(DispatchErrorCodes.ApplicationNotFound, 'No such application.');
  }
}
