import { Body, Controller, Delete, Get, HttpCode, Param, Put, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { UniqueNameSchema } from '@zapgate/contracts';
import { AdminKeyGuard, Audited, CommonCodes, CommonException, parseOrThrow, ZodApiBody, ZodApiResponse } from '@zapgate/platform';
import { z } from 'zod';
import { jsonBody } from '../http/body-reader';
import { SenderVerificationStore } from './sender-verification.store';

const Subject = z.object({
  kind: z.enum(['application', 'bot']),
  id: UniqueNameSchema,
});

const SettingSchema = z.discriminatedUnion('scheme', [
  z.strictObject({ scheme: z.literal('github'), secrets: z.array(z.string().min(8).max(256)).min(1).max(2) }),
  z.strictObject({ scheme: z.literal('gitlab'), secrets: z.array(z.string().min(8).max(256)).min(1).max(2) }),
  z.strictObject({
    scheme: z.literal('standard-webhooks'),
    secrets: z
      .array(z.string().regex(/^whsec_[A-Za-z0-9+/=]{16,}$/, 'must be a whsec_… secret'))
      .min(1)
      .max(2),
  }),
]);

const SettingViewSchema = z.object({
  kind: z.enum(['application', 'bot']),
  id: z.string(),
  scheme: z.enum(['github', 'gitlab', 'standard-webhooks']),
  secrets: z.number().int().describe('how many secrets are set (two during a rotation); never the secrets'),
});

/** Operator settings: which signature an application's or bot's sender must present (two secrets during a rotation). */
@ApiTags('operator')
@ApiSecurity('adminKey')
@UseGuards(AdminKeyGuard)
@ApiParam({ name: 'kind', enum: ['application', 'bot'] })
@ApiParam({ name: 'id', description: 'the application id, or the bot unique name' })
@Controller('api/v1/admin/sender-verification/:kind/:id')
export class VerificationController {
  constructor(private readonly store: SenderVerificationStore) {}

  @Put()
  @ApiOperation({ summary: 'Require a signature (github | gitlab | standard-webhooks) from this application or bot' })
  @ZodApiBody(SettingSchema)
  @ZodApiResponse(SettingViewSchema)
  @Audited('sender_verification.set', { target: 'sender_verification', id: 'id' })
  async put(@Param() params: unknown, @Body() body: unknown) {
    const { kind, id } = parseOrThrow(Subject, params);
    const setting = parseOrThrow(SettingSchema, jsonBody(body));
    await this.store.put(kind, kind === 'bot' ? id.toLowerCase() : id, setting);
    return { kind, id, scheme: setting.scheme, secrets: setting.secrets.length };
  }

  @Get()
  @ApiOperation({ summary: 'Show the scheme and how many secrets are set (never the secrets)' })
  @ZodApiResponse(SettingViewSchema)
  async get(@Param() params: unknown) {
    const { kind, id } = parseOrThrow(Subject, params);
    const setting = await this.store.get(kind, kind === 'bot' ? id.toLowerCase() : id);
    if (!setting) throw new CommonException(CommonCodes.NotFound, 'No signature is required from this sender.');
    return { kind, id, scheme: setting.scheme, secrets: setting.secrets.length };
  }

  @Delete()
  @HttpCode(204)
  @ApiOperation({ summary: 'Stop requiring a signature' })
  @Audited('sender_verification.removed', { target: 'sender_verification', id: 'id' })
  async remove(@Param() params: unknown): Promise<void> {
    const { kind, id } = parseOrThrow(Subject, params);
    if (!(await this.store.remove(kind, kind === 'bot' ? id.toLowerCase() : id))) {
      throw new CommonException(CommonCodes.NotFound, 'No signature is required from this sender.');
    }
  }
}
