import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { RpcSubjects, Subjects, type ApplicationsVerifyReply } from '@zapgate/contracts';
import { AnswerCache, JetStreamService, MetricsService, PipelineStages, RpcService } from '@zapgate/platform';
import type { Subscription } from 'nats';
import { createHash } from 'node:crypto';
import { TOKEN_CACHE_TTL_MS } from './token-verifier.service';

export type VerifiedApplication = Extract<ApplicationsVerifyReply, { valid: true }>['application'];

const MAX_CACHE_ENTRIES = 10_000;

/**
 * Asks token-service whether an appkey (or an owner key) belongs to an application, and keeps a
 * positive answer as briefly as verified tokens are kept. A rotation or a
 * settings change (`zapgate.application.changed.v1`) drops it at once; the TTL
 * bounds staleness if this replica missed the event. The cache is keyed by a
 * digest, so appkeys are not held in memory as map keys.
 */
@Injectable()
export class AppkeyVerifier implements OnModuleInit, OnModuleDestroy {
  private readonly cache: AnswerCache<VerifiedApplication>;
  private subscription?: Subscription;

  constructor(
    private readonly rpc: RpcService,
    private readonly jetstream: JetStreamService,
    private readonly metrics: MetricsService,
    @Inject(TOKEN_CACHE_TTL_MS) ttlMs: number,
  ) {
    this.cache = new AnswerCache(ttlMs, MAX_CACHE_ENTRIES);
  }

  onModuleInit(): void {
    this.subscription = this.jetstream.listen(Subjects.ApplicationChanged, (e) => this.forget(e.appId));
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }

  /** The application whose appkey this is, or undefined. */
  verify(appId: string, appkey: string, correlationId?: string): Promise<VerifiedApplication | undefined> {
    return this.check('appkey', appId, appkey, () =>
      this.rpc.request(RpcSubjects.ApplicationsVerify, { appId: appId.slice(0, 64), appkey: appkey.slice(0, 512) }, { correlationId }),
    );
  }

  /** The application whose owner key this is, or undefined: the credential that manages it. */
  verifyOwner(appId: string, ownerKey: string, correlationId?: string): Promise<VerifiedApplication | undefined> {
    return this.check('owner', appId, ownerKey, () =>
      this.rpc.request(RpcSubjects.ApplicationsVerifyOwner, { appId: appId.slice(0, 64), ownerKey: ownerKey.slice(0, 512) }, { correlationId }),
    );
  }

  private async check(
    kind: 'appkey' | 'owner',
    appId: string,
    secret: string,
    ask: () => Promise<ApplicationsVerifyReply>,
  ): Promise<VerifiedApplication | undefined> {
    // The kind is part of the key: an appkey's positive answer must never pass for an owner key's.
    const key = `${kind}:${appId}:${createHash('sha256').update(secret).digest('base64url')}`;
    const now = Date.now();
    const hit = this.cache.get(key, now);
    if (hit) return hit;
    const timer = this.metrics.time(PipelineStages.AppkeyVerify);
    const reply = await ask();
    timer();
    if (!reply.valid) {
      this.cache.delete(key);
      return undefined;
    }
    this.cache.set(key, reply.application, now);
    return reply.application;
  }

  /** Drops every cached answer for an application (its appkey was rotated or its settings changed). */
  forget(appId: string): void {
    this.cache.forgetWhere((app) => app.id === appId);
  }
}

/** The owner key a request presents: the X-Owner-Key header only, so it never sits in a URL or an access log. */
export function presentedOwnerKey(headers: Record<string, string | string[] | undefined>): string | undefined {
  const value = headers['x-owner-key'];
  return typeof value === 'string' && value ? value : undefined;
}

/** The appkey a request presents: `?appkey=` (Cliq's form) or the X-Appkey header. */
export function presentedAppkey(query: unknown, headers: Record<string, string | string[] | undefined>): string | undefined {
  const fromQuery = (query as Record<string, unknown> | undefined)?.appkey;
  const value = typeof fromQuery === 'string' ? fromQuery : headers['x-appkey'];
  return typeof value === 'string' && value ? value : undefined;
}
