import { Controller, Get, HttpCode, Inject, Post, type Type, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Audited } from '../audit/audited.interceptor';
import { z } from 'zod';
import { AdminKeyGuard } from '../http/admin-key.guard';
import { dataList, TimestampSchema, ZodApiResponse } from '../http/zod-openapi';
import { RetentionService } from './retention.service';

const PolicyStateSchema = z.object({
  name: z.string(),
  description: z.string(),
  days: z.number().int().describe('0 keeps the records until deleted otherwise'),
  last_run_at: TimestampSchema.nullable(),
  last_purged: z.number().int().nullable(),
  next_run_at: TimestampSchema.nullable(),
});
const RunSchema = z.object({ name: z.string(), purged: z.number().int(), cutoff: TimestampSchema.nullable() });

/** Operator routes over a service's retention policies, at `/api/v1/<prefix>/retention`. */
export function retentionController(prefix: string): Type {
  @ApiTags('operations')
  @ApiSecurity('adminKey')
  @Controller(`api/v1/${prefix}/retention`)
  @UseGuards(AdminKeyGuard)
  class RetentionController {
    constructor(@Inject(RetentionService) private readonly retention: RetentionService) {}

    @Get()
    @ZodApiResponse(dataList(PolicyStateSchema))
    @ApiOperation({ summary: `What ${prefix} keeps and for how long, and what its last purge here removed` })
    list() {
      return { data: this.retention.state() };
    }

    @Post('run')
    @HttpCode(200)
    @ZodApiResponse(dataList(RunSchema))
    @ApiOperation({ summary: 'Run every retention policy now, in batches, and answer what each removed' })
    @Audited('retention.run', { target: 'retention' })
    async run() {
      return { data: await this.retention.runNow() };
    }
  }
  return RetentionController;
}
