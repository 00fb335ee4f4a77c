import { type BeforeApplicationShutdown, Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { RpcSubjects, Subjects, type TokensVerifyReply } from '@zapgate/contracts';
import { AnswerCache, JetStreamService, MetricsService, PipelineStages, RpcService } from '@zapgate/platform';
import type { Subscription } from 'nats';
import { isWellFormedToken } from './token-format';
import { UsageReporter } from './usage-reporter';

export const TOKEN_CACHE_TTL_MS = Symbol('TOKEN_CACHE_TTL_MS');
/** How often uses answered from the cache are reported to token-service. */
export const TOKEN_USAGE_REPORT_MS = Symbol('TOKEN_USAGE_REPORT_MS');

export type VerifiedToken = Extract<TokensVerifyReply, { active: true }>;

const MAX_CACHE_ENTRIES = 50_000;

/**
 * Asks token-service whether a token is valid. Malformed tokens are refused
 * locally; positive answers are cached briefly so a hot token costs no round
 * trip. Revocation and deactivation events drop cached answers at once; the
 * TTL bounds staleness if this replica missed an event.
 */
@Injectable()
export class TokenVerifier implements OnModuleInit, BeforeApplicationShutdown, OnModuleDestroy {
  private readonly cache: AnswerCache<VerifiedToken>;
  private subscriptions: Subscription[] = [];
  /** Cached answers are uses token-service does not see: they are counted here and reported. */
  private readonly usage: UsageReporter;

  constructor(
    private readonly rpc: RpcService,
    private readonly jetstream: JetStreamService,
    private readonly metrics: MetricsService,
    @Inject(TOKEN_CACHE_TTL_MS) ttlMs: number,
    @Inject(TOKEN_USAGE_REPORT_MS) usageReportMs = 2000,
  ) {
    this.cache = new AnswerCache(ttlMs, MAX_CACHE_ENTRIES);
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

  async verify(token: string, context: { ip?: string; correlationId?: string } = {}): Promise<VerifiedToken | undefined> {
    if (!isWellFormedToken(token)) return undefined;
    const now = Date.now();
    const hit = this.cache.get(token, now);
    if (hit) {
      this.usage.count(hit.tokenId, context.ip, now);
      return hit;
    }
    const timer = this.metrics.time(PipelineStages.TokenVerify);
    const reply = await this.rpc.request(RpcSubjects.TokensVerify, { token, ip: context.ip }, { correlationId: context.correlationId });
    timer();
    if (!reply.active) {
      this.cache.delete(token);
      return undefined;
    }
    this.cache.set(token, reply, now);
    return reply;
  }

  /** Drops every cached answer for a token id or a user (revocation, deactivation). */
  forget(match: { tokenId?: string; userId?: string }): void {
    this.cache.forgetWhere((v) => Boolean((match.tokenId && v.tokenId === match.tokenId) || (match.userId && v.userId === match.userId)));
  }
}
