import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { OperatorRoleSchema } from '@zapgate/contracts';
import {
  AdminKeyGuard,
  AdminOnly,
  Audited,
  dataList,
  operatorOf,
  parseOrThrow,
  TimestampSchema,
  ZodApiBody,
  ZodApiQuery,
  ZodApiResponse,
} from '@zapgate/platform';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { IdParamSchema } from '../admin/admin.dto';
import type { OperatorKeyRow } from './operator-keys.repository';
import { OperatorKeysService } from './operator-keys.service';

const CreateSchema = z.strictObject({ name: z.string().trim().min(1).max(100), role: OperatorRoleSchema });
const ListSchema = z.looseObject({ include_revoked: z.stringbool().default(false) });

const OperatorKeySchema = z.object({
  id: z.uuid(),
  name: z.string(),
  role: OperatorRoleSchema,
  prefix: z.string(),
  created_by: z.string(),
  created_at: TimestampSchema,
  last_used_at: TimestampSchema.nullable(),
  revoked_at: TimestampSchema.nullable(),
});

const view = (k: OperatorKeyRow): z.infer<typeof OperatorKeySchema> => ({
  id: k.id,
  name: k.name,
  role: k.role,
  prefix: k.key_prefix,
  created_by: k.created_by,
  created_at: k.created_at.toISOString(),
  last_used_at: k.last_used_at?.toISOString() ?? null,
  revoked_at: k.revoked_at?.toISOString() ?? null,
});

/** Named operator keys, one per person or system, so each can be revoked alone and the audit log can say who. */
@ApiTags('operator')
// An admin key: ADMIN_API_KEY or a named key with role admin.
@ApiSecurity('adminKey')
@UseGuards(AdminKeyGuard)
@AdminOnly()
@Controller('api/v1/admin/operator-keys')
export class OperatorKeysController {
  constructor(private readonly keys: OperatorKeysService) {}

  @Post()
  @HttpCode(201)
  @ZodApiBody(CreateSchema)
  @ZodApiResponse(OperatorKeySchema.extend({ key: z.string().describe('shown only in this answer') }), { status: 201 })
  @ApiOperation({ summary: 'Create a named operator key (role read-only, operator or admin); the key is in this answer only' })
  @Audited('operator_key.created', { target: 'operator_key', id: 'response' })
  async create(@Body() body: unknown, @Req() req: FastifyRequest) {
    const input = parseOrThrow(CreateSchema, body);
    const { row, key } = await this.keys.create(input.name, input.role, operatorOf(req)!);
    return { ...view(row), key };
  }

  @Get()
  @ApiOperation({ summary: 'List operator keys (never the keys themselves)' })
  @ZodApiQuery(ListSchema)
  @ZodApiResponse(dataList(OperatorKeySchema))
  async list(@Query() query: unknown) {
    const { include_revoked } = parseOrThrow(ListSchema, query);
    return { data: (await this.keys.list(include_revoked)).map(view) };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an operator key: it stops working on every service at once' })
  @Audited('operator_key.revoked', { target: 'operator_key', id: 'id' })
  async revoke(@Param('id') id: string): Promise<void> {
    await this.keys.revoke(parseOrThrow(IdParamSchema, id, 'id'));
  }
}
