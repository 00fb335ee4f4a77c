import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy, type Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Cron } from 'croner';
import { APP_CONFIG, type BaseConfig } from '../config';
import { MetricsService } from '../metrics/metrics.service';

/** One kind of record a service keeps for a limited time. */
export interface RetentionPolicy {
  /** `raw_bodies`, `events`, `delivery_attempts`…: the metric label and the API's name. */
  name: string;
  /** What goes, in a few words (the API shows it). */
  description: string;
  /** How long it is kept; 0 keeps it until deleted otherwise. */
  days: number;
  /** Removes at most `limit` records older than `cutoff`; answers how many it removed. */
  purgeBatch(cutoff: Date, limit: number): Promise<number>;
}

export interface RetentionRun {
  name: string;
  purged: number;
  cutoff: string | null;
}

/**
 * Runs a service's retention policies on `RETENTION_SCHEDULE`, each in
 * batches of `RETENTION_BATCH_SIZE` rows (one short statement each) until
 * nothing older than its cutoff is left. Replicas may run at the same time:
 * each batch takes rows with SKIP LOCKED, so they share the work.
 */
@Injectable()
export class RetentionService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(RetentionService.name);
  private readonly policies = new Map<string, RetentionPolicy>();
  private readonly last = new Map<string, { at: Date; purged: number }>();
  private cron?: Cron;
  private running?: Promise<RetentionRun[]>;
  private stopping = false;
  private readonly purged;
  private readonly lastRun;

  constructor(
    @Inject(APP_CONFIG) private readonly config: BaseConfig,
    metrics: MetricsService,
  ) {
    this.purged = metrics.counter('zapgate_retention_purged_total', 'Records removed by the retention purge, by policy.', ['policy']);
    this.lastRun = metrics.counter('zapgate_retention_runs_total', 'Retention purge runs, by outcome.', ['outcome']);
  }

  register(policy: RetentionPolicy): void {
    this.policies.set(policy.name, policy);
  }

  onApplicationBootstrap(): void {
    // protect: a run still going when the next is due is not started twice.
    this.cron = new Cron(this.config.RETENTION_SCHEDULE, { timezone: 'UTC', protect: true }, () => void this.runNow().catch(() => undefined));
  }

  onModuleDestroy(): void {
    this.stopping = true;
    this.cron?.stop();
  }

  /** The policies and what their last run here removed. */
  state() {
    return [...this.policies.values()].map((p) => ({
      name: p.name,
      description: p.description,
      days: p.days,
      last_run_at: this.last.get(p.name)?.at.toISOString() ?? null,
      last_purged: this.last.get(p.name)?.purged ?? null,
      next_run_at: this.cron?.nextRun()?.toISOString() ?? null,
    }));
  }

  /** One run of every policy now (joins a run already going). */
  runNow(): Promise<RetentionRun[]> {
    this.running ??= this.runAll().finally(() => (this.running = undefined));
    return this.running;
  }

  private async runAll(): Promise<RetentionRun[]> {
    const runs: RetentionRun[] = [];
    try {
      for (const policy of this.policies.values()) runs.push(await this.runOne(policy));
      this.lastRun.inc({ outcome: 'ok' });
      return runs;
    } catch (err) {
      this.lastRun.inc({ outcome: 'failed' });
      this.logger.error({ err }, 'retention purge failed; the next run takes up where it stopped');
      throw err;
    }
  }

  private async runOne(policy: RetentionPolicy): Promise<RetentionRun> {
    if (policy.days <= 0) return { name: policy.name, purged: 0, cutoff: null };
    const cutoff = new Date(Date.now() - policy.days * 86_400_000);
    const limit = this.config.RETENTION_BATCH_SIZE;
    let purged = 0;
    for (;;) {
      const n = await policy.purgeBatch(cutoff, limit);
      purged += n;
      this.purged.inc({ policy: policy.name }, n);
      if (n < limit || this.stopping) break;
      // Let requests in between batches.
      await new Promise((r) => setImmediate(r));
    }
    this.last.set(policy.name, { at: new Date(), purged });
    if (purged) this.logger.log({ policy: policy.name, purged, cutoff }, 'retention purge');
    return { name: policy.name, purged, cutoff: cutoff.toISOString() };
  }
}

/**
 * A provider that registers one feature's retention policies, built from the
 * data source and the validated config (list it among the module's providers).
 */
export function retentionPolicies<C extends BaseConfig>(feature: string, build: (dataSource: DataSource, config: C) => RetentionPolicy[]): Provider {
  return {
    provide: `zapgate:retention:${feature}`,
    inject: [RetentionService, DataSource, APP_CONFIG],
    useFactory: (retention: RetentionService, dataSource: DataSource, config: C) => {
      for (const policy of build(dataSource, config)) retention.register(policy);
      return feature;
    },
  };
}
