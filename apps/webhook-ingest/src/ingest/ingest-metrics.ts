import { Injectable } from '@nestjs/common';
import { MetricsService } from '@zapgate/platform';
import type { Counter, Histogram } from 'prom-client';

@Injectable()
export class IngestMetrics {
  readonly ingested: Counter<'source' | 'outcome'>;
  readonly rejected: Counter<'reason'>;
  readonly signatureFailures: Counter<'scheme' | 'reason'>;
  readonly dedupHits: Counter<'where'>;
  readonly bodyBytes: Histogram<'source'>;
  readonly storeSeconds: Histogram<'source'>;
  readonly limitFallbacks: Counter<'limit' | 'reason'>;

  constructor(readonly platform: MetricsService) {
    const metrics = platform;
    this.ingested = metrics.counter('zapgate_ingest_requests_total', 'Webhook and message posts by source and outcome.', ['source', 'outcome']);
    this.rejected = metrics.counter('zapgate_ingest_rejected_total', 'Rejected requests by reason.', ['reason']);
    this.signatureFailures = metrics.counter('zapgate_ingest_signature_failures_total', 'Sender signature failures.', ['scheme', 'reason']);
    this.dedupHits = metrics.counter('zapgate_ingest_dedup_hits_total', 'Repeated deliveries answered with their first event.', ['where']);
    this.bodyBytes = metrics.histogram(
      'zapgate_ingest_body_bytes',
      'Accepted body sizes.',
      ['source'],
      [128, 512, 1024, 4096, 16_384, 65_536, 262_144, 1_048_576],
    );
    this.storeSeconds = metrics.histogram(
      'zapgate_ingest_store_seconds',
      'Time to store an event durably (PubAck).',
      ['source'],
      [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    );
    this.limitFallbacks = metrics.counter(
      'zapgate_ingest_limit_fallbacks_total',
      'Rate-limit decisions made by this replica alone because the shared window (PostgreSQL) could not be reached.',
      ['limit', 'reason'],
    );
  }
}
