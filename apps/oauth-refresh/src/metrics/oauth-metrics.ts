import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { MetricsService } from '@zapgate/platform';
import { DataSource } from 'typeorm';

@Injectable()
export class OAuthMetrics {
  readonly refreshes;
  readonly secondsBeforeExpiry;
  readonly providerSeconds;

  constructor(metrics: MetricsService, @InjectDataSource() dataSource: DataSource) {
    this.refreshes = metrics.counter('zapgate_oauth_refreshes_total', 'Token refreshes by preset, trigger and outcome.', ['preset', 'trigger', 'outcome']);
    this.secondsBeforeExpiry = metrics.histogram(
      'zapgate_oauth_refresh_seconds_before_expiry',
      'Seconds the old access token still had when it was refreshed (negative: refreshed late).',
      ['trigger'],
      [-60, -1, 0, 5, 15, 30, 60, 120, 300, 600, 1800],
    );
    this.providerSeconds = metrics.histogram(
      'zapgate_oauth_provider_seconds',
      'Provider token-endpoint latency.',
      ['preset', 'endpoint'],
      [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    );
    metrics.gauge('zapgate_oauth_connections', 'Connections by status.', ['status'], async (g) => {
      const rows = (await dataSource.query(`SELECT status, count(*)::int AS n FROM "oauth"."connection" GROUP BY status`)) as { status: string; n: number }[];
      for (const status of ['active', 'reauth_required', 'revoked']) g.set({ status }, rows.find((r) => r.status === status)?.n ?? 0);
    });
  }
}
