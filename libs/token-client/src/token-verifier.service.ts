import { type BeforeApplicationShutdown, Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { RpcSubjects, Subjects, type TokensVerifyReply } from '@zapgate/contracts';
import { JetStreamService, MetricsService, PipelineStages, RpcService } from '@zapgate/platform';
import type { Subscription } from 'nats';
import { isWellFormedToken } from './token-format';
import { UsageReporter } from './usage-reporter';

export const TOKEN_CACHE_TTL_MS = Symbol('TOKEN_CACHE_TTL_MS');
/** How often uses answered from the cache are reported to token-service. */
export const TOKEN_USAGE_REPORT_MS = Symbol('TOKEN_USAGE_REPORT_MS');

export type VerifiedToken = Extract<TokensVerifyReply, { active: true }>;

interface CacheEntry {
  value: VerifiedToken;
  expiresAt: number;
}

const MAX_CACHE_ENTRIES = 50_000;

/**
 * Asks token-service whether a token is valid. Malformed tokens are refused
 * locally; positive answers are cached briefly so a hot token costs no round
 * trip. Revocation and deactivation events drop cached answers at once; the
 * TTL bounds staleness if this replica missed an event.
 */
@Injectable()
export class TokenVerifier implements OnModuleInit, BeforeApplicationShutdown, OnModuleDestroy {
  private readonly cache = new Map<string, CacheEntry>();
  private subscriptions: Subscription[] = [];
  /** Cached answers are uses token-service does not see: they are counted here and reported. */
  private readonly usage: UsageReporter;

  constructor(
    private readonly rpc: RpcService,
    private readonly jetstream: JetStreamService,
    private readonly metrics: MetricsService,
    @Inject(TOKEN_CACHE_TTL_MS) private readonly ttlMs: number,
    @Inject(TOKEN_USAGE_REPORT_MS) usageReportMs = 2000,
  ) {
    this.usage = new UsageReporter(jetstream, usageReportMs);
  }

  onModuleInit(): void {
    this.subscriptions = [
      this.jetstream.listen(Subjects.TokenRevoked, (e) => this.forget({ tokenId: e.tokenId })),
      this.jetstream.listen(Subjects.UserDeactivated, (e) => this.forget({ userId: e.userId })),
    ];
    this.usage.start();
  }

  /** The last report, while NATS is still open (it drains in onApplicationShutdown). */
  async beforeApplicationShutdown(): Promise<void> {
    this.usage.stop();
    await this.usage.flush();
  }

  onModuleDestroy(): void {
    this.usage.stop();
    for (const sub of this.subscriptions) sub.unsubscribe();
  }

  /** Reports the uses counted so far now (tests, shutdown). */
  flushUsage(): Promise<void> {
    return this.usage.flush();
  }

  async verify(token: string, context: { ip?: string; correlationId?: string } = {}): Promise<VerifiedToken | undefined> {
    if (!isWellFormedToken(token)) return undefined;
    const now = Date.now();
    const hit = this.cache.get(token);
    if (hit && hit.expiresAt > now) {
      this.usage.count(hit.value.tokenId, context.ip, now);
      return hit.value;
    }
    const timer = this.metrics.time(PipelineStages.TokenVerify);
    const reply = await this.rpc.request(RpcSubjects.TokensVerify, { token, ip: context.ip }, { correlationId: context.correlationId });
    timer();
    if (!reply.active) {
      this.cache.delete(token);
      return undefined;
    }
    if (this.ttlMs > 0) {
      if (this.cache.size >= MAX_CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(token, { value: reply, expiresAt: now + this.ttlMs });
    }
    return reply;
  }

  /** Drops every cached answer for a token id or a user (revocation, deactivation). */
  forget(match: { tokenId?: string; userId?: string }): void {
    for (const [key, entry] of this.cache) {
      if ((match.tokenId && entry.value.tokenId === match.tokenId) || (match.userId && entry.value.userId === match.userId)) {
        this.cache.delete(key);
      }
    }
  }
}
