import { Controller, Get, Inject, Optional } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { NatsConnection } from 'nats';
import { DataSource } from 'typeorm';
import { NATS_CONNECTION } from '../nats/nats.tokens';

const PROBE_TIMEOUT_MS = 1000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref()),
  ]);
}

/** Liveness says the process runs; readiness says it can do its work (database and NATS answer). */
@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
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
