import { Controller, Get, Inject, Optional, Res } from '@nestjs/common';
import { ApiResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import type { NatsConnection } from 'nats';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { openApiSchema, TimestampSchema } from '../http/zod-openapi';
import { EventConsumerService } from '../nats/event-consumer.service';
import { NATS_CONNECTION } from '../nats/nats.tokens';

const PROBE_TIMEOUT_MS = 1000;

const ConsumersSchema = z.object({
  status: z.enum(['ok', 'stalled']),
  consumers: z.array(
    z.object({
      consumer: z.string(),
      waiting: z.number().int().describe('events not yet delivered to any replica'),
      unacknowledged: z.number().int().describe('delivered, not yet acknowledged'),
      stalled: z.boolean(),
      idleSince: TimestampSchema.optional().describe('since when nothing new was delivered while events waited'),
    }),
  ),
});

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref())]);
}

/** Liveness says the process runs; readiness says it can do its work (database and NATS answer); consumers, that events flow. */
@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly consumers: EventConsumerService,
    @Optional() private readonly dataSource?: DataSource,
  ) {}

  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([() => this.checkNats(), ...(this.dataSource ? [() => this.checkDatabase(this.dataSource!)] : [])]);
  }

  /**
   * Whether this service's durable consumers make progress: 503 while one has
   * events waiting and has delivered none for CONSUMER_STALL_SECONDS (held by
   * poison or by hung handlers). An alert signal, kept out of readiness: the
   * service still answers requests while a consumer is stuck.
   */
  @Get('consumers')
  @ApiResponse({ status: 200, description: 'Every consumer makes progress', schema: openApiSchema(ConsumersSchema, 'output') })
  @ApiResponse({ status: 503, description: 'A consumer is stalled', schema: openApiSchema(ConsumersSchema, 'output') })
  async consumersProgress(@Res() reply: FastifyReply) {
    const consumers = await this.consumers.progress.states();
    const stalled = consumers.some((c) => c.stalled);
    await reply.status(stalled ? 503 : 200).send({ status: stalled ? 'stalled' : 'ok', consumers });
  }

  private async checkNats() {
    const probe = this.indicators.check('nats');
    try {
      if (this.nc.isClosed()) return probe.down({ message: 'connection closed' });
      await withTimeout(this.nc.flush(), PROBE_TIMEOUT_MS);
      return probe.up({ server: this.nc.getServer() });
    } catch (err) {
      return probe.down({ message: (err as Error).message });
    }
  }

  private async checkDatabase(dataSource: DataSource) {
    const probe = this.indicators.check('database');
    try {
      await withTimeout(dataSource.query('SELECT 1'), PROBE_TIMEOUT_MS);
      return probe.up();
    } catch (err) {
      return probe.down({ message: (err as Error).message });
    }
  }
}
