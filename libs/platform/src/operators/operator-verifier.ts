import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Headers, RpcSubjects, Subjects, type OperatorRole } from '@zapgate/contracts';
import type { FastifyRequest } from 'fastify';
import type { Subscription } from 'nats';
import { createHash, timingSafeEqual } from 'node:crypto';
import { setAuditActor } from '../audit/audit-actor';
import { AnswerCache } from '../cache/answer-cache';
import { APP_CONFIG } from '../config';
import { CommonCodes, CommonException } from '../errors';
import { JetStreamService } from '../nats/jetstream.service';
import { RpcService } from '../nats/rpc.service';

/** Who is acting as operator: the bootstrap key, or a named key (its id and name are what the audit log records). */
export interface Operator {
  keyId: string;
  name: string;
  role: OperatorRole;
}

type OperatorRequest = FastifyRequest & { operator?: Operator };

export const BOOTSTRAP_OPERATOR: Operator = { keyId: 'bootstrap', name: 'ADMIN_API_KEY', role: 'admin' };

const CACHE_MS = 2000;
const MAX_CACHE = 1000;
const NAMED_KEY = /^zaok_[0-9A-Za-z]{36}$/;
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Resolves X-Admin-Key: ADMIN_API_KEY (compared in constant time) is the
 * bootstrap admin; a `zaok_` key is checked by token-service and its answer
 * kept for two seconds, dropped at once when the key is revoked. Then the
 * role decides: read-only keys only read, operator keys do everything except
 * manage operator keys, admin keys do everything.
 */
@Injectable()
export class OperatorVerifier implements OnModuleInit, OnModuleDestroy {
  private readonly bootstrap: Buffer;
  /** By the key's digest; null is a known "no such key", so a wrong key costs one round trip per TTL too. */
  private readonly cache = new AnswerCache<Operator | null>(CACHE_MS, MAX_CACHE);
  private subscription?: Subscription;

  constructor(
    @Inject(APP_CONFIG) config: { ADMIN_API_KEY: string },
    private readonly rpc: RpcService,
    private readonly jetstream: JetStreamService,
  ) {
    this.bootstrap = digest(config.ADMIN_API_KEY);
  }

  onModuleInit(): void {
    this.subscription = this.jetstream.listen(Subjects.OperatorKeyRevoked, (e) => this.cache.forgetWhere((operator) => operator?.keyId === e.keyId));
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }

  /**
   * The operator this request acts as, or undefined when it presents no operator key. A key that
   * is presented but wrong is a 401; a valid key whose role does not allow this request is a 403.
   * The operator is kept on the request for the audit log.
   */
  async authorize(request: FastifyRequest, options: { adminOnly?: boolean } = {}): Promise<Operator | undefined> {
    const presented = request.headers[Headers.AdminKey];
    if (typeof presented !== 'string' || !presented) return undefined;
    const operator = await this.identify(presented, request.id);
    if (!operator) throw new CommonException(CommonCodes.Unauthorized, 'The X-Admin-Key is not a valid operator key.');
    if (options.adminOnly && operator.role !== 'admin') throw new CommonException(CommonCodes.Forbidden, 'Only an admin key may do this.');
    if (operator.role === 'read-only' && !READS.has(request.method)) throw new CommonException(CommonCodes.Forbidden, 'A read-only key may only read.');
    (request as OperatorRequest).operator = operator;
    setAuditActor(request, { type: 'operator', id: operator.keyId, name: operator.name });
    return operator;
  }

  private async identify(presented: string, correlationId?: string): Promise<Operator | undefined> {
    if (timingSafeEqual(digest(presented), this.bootstrap)) return BOOTSTRAP_OPERATOR;
    if (!NAMED_KEY.test(presented)) return undefined;
    const key = digest(presented).toString('base64url');
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit ?? undefined;
    const reply = await this.rpc.request(RpcSubjects.OperatorsVerify, { key: presented }, { correlationId });
    const operator = reply.valid ? reply.operator : null;
    this.cache.set(key, operator);
    return operator ?? undefined;
  }
}

/** The operator a guarded request acts as (set by OperatorVerifier.authorize). */
export function operatorOf(request: FastifyRequest): Operator | undefined {
  return (request as OperatorRequest).operator;
}
