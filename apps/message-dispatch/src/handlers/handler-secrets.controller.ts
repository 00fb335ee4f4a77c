import { Body, Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { parseOrThrow, ZodApiBody } from '@zapgate/platform';
import { AppkeyGuard } from '@zapgate/token-client';
import { z } from 'zod';
import { HandlerSecrets } from './handler-secret.service';

const RotateSchema = z.object({ grace_seconds: z.number().int().min(0).max(7 * 86_400).default(86_400) });

/** The application owner's view of the secret that signs calls to their extension's handlers. */
@ApiTags('handlers')
@ApiHeader({ name: 'X-Appkey', required: false, description: "the application's appkey (or ?appkey=)" })
@Controller('api/v1/applications/:appId/handler-secret')
@UseGuards(AppkeyGuard)
export class HandlerSecretsController {
  constructor(private readonly secrets: HandlerSecrets) {}

  @Get()
  @ApiOperation({ summary: "The whsec_ secret handler calls are signed with (Standard Webhooks); made on first read" })
  async get(@Param('appId') appId: string) {
    return { app_id: appId, scheme: 'standard-webhooks', secret: await this.secrets.current(appId) };
  }

  @Post('rotate')
  @HttpCode(200)
  @ZodApiBody(RotateSchema)
  @ApiOperation({ summary: 'A new secret; the old one also signs for grace_seconds (default a day)' })
  async rotate(@Param('appId') appId: string, @Body() body: unknown) {
    const { grace_seconds } = parseOrThrow(RotateSchema, body ?? {});
    return { app_id: appId, scheme: 'standard-webhooks', secret: await this.secrets.rotate(appId, grace_seconds), previous_valid_for_seconds: grace_seconds };
  }
}
