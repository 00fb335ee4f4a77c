import { Controller, Get, HttpCode, Inject, Post, type Type, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Audited } from '../audit/audited.interceptor';
import { AdminKeyGuard } from '../http/admin-key.guard';
import { RetentionService } from './retention.service';

/** Operator routes over a service's retention policies, at `/api/v1/<prefix>/retention`. */
export function retentionController(prefix: string): Type {
  @ApiTags('operations')
  @Controller(`api/v1/${prefix}/retention`)
  @UseGuards(AdminKeyGuard)
  class RetentionController {
    constructor(@Inject(RetentionService) private readonly retention: RetentionService) {}

    @Get()
    @ApiOperation({ summary: `What ${prefix} keeps and for how long, and what its last purge here removed` })
    list() {
      return { data: this.retention.state() };
    }

    @Post('run')
    @HttpCode(200)
    @ApiOperation({ summary: 'Run every retention policy now, in batches, and answer what each removed' })
    @Audited('retention.run', { target: 'retention' })
    async run() {
      return { data: await this.retention.runNow() };
    }
  }
  return RetentionController;
}
