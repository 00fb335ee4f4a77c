import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { TokensVerifyReply } from '@zapgate/contracts';
import { displayParts, generateToken, isWellFormedToken, type TokenKind } from '@zapgate/token-client';
import { DataSource, type EntityManager } from 'typeorm';
import { UsageRecorder } from '../usage/usage-recorder.service';
import { UserEntity } from '../users/user.entity';
import { TokenEventsPublisher } from './token-events.publisher';
import { TokenHasher } from './token-hasher';
import { ACTIVE, TokenLookupBatcher } from './token-lookup.batcher';
import { TokenEntity } from './token.entity';
import { TokenErrorCodes, TokenException } from './token.exception';

export interface MintRequest {
  userId: string;
  kind: TokenKind;
  name: string;
  scopes: string[];
  applicationId?: string | null;
  expiresAt?: Date | null;
  /** Most active tokens of this kind the user may hold (per application when one is given). */
  limit: number;
}

export interface MintedToken {
  /** Shown once; never retrievable again. */
  secret: string;
  token: TokenEntity;
}

export interface RotatedToken extends MintedToken {
  /** When the old secret stops working: now, or after the grace period. */
  previousExpiresAt: Date;
}

@Injectable()
export class TokensService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(TokenHasher) private readonly hasher: TokenHasher,
    private readonly usage: UsageRecorder,
    private readonly events: TokenEventsPublisher,
  ) {
    this.lookups = new TokenLookupBatcher(dataSource);
  }

  private readonly lookups: TokenLookupBatcher;

  /**
   * Mints a token within the per-user limit. The user's row is locked for the
   * count and insert, so concurrent requests cannot slip past the limit.
   */
  async mint(request: MintRequest): Promise<MintedToken> {
    return this.dataSource.transaction(async (tx) => {
      const user = await this.lockActiveUser(tx, request.userId);
      const [{ count }] = (await tx.query(
        `SELECT count(*)::int AS count FROM "token"."token" t
          WHERE t.user_id = $1 AND t.kind = $2 AND t.application_id IS NOT DISTINCT FROM $3 AND ${ACTIVE}`,
        [user.id, request.kind, request.applicationId ?? null],
      )) as { count: number }[];
      if (count >= request.limit) {
        throw new TokenException(
          TokenErrorCodes.TooManyTokens,
          `This user already has ${count} active tokens of this kind, the maximum allowed; delete one first.`,
        );
      }
      return this.insert(tx, request);
    });
  }

  /**
   * Checksum first (free), then the keyed-hash lookup, then revoked/expired/
   * inactive-user checks, in one indexed query shared by the verifications
   * that arrive together. Plain SQL: this is the hot path, and entity
   * hydration cost more than the query itself.
   */
  async verify(presented: string, ip?: string): Promise<TokensVerifyReply> {
    if (!isWellFormedToken(presented)) return { active: false };
    const row = await this.lookups.find(this.hasher.hash(presented));
    if (!row) return { active: false };
    this.usage.record(row.id, ip);
    return { active: true, tokenId: row.id, userId: row.user_id, appId: row.application_id, scopes: row.scopes };
  }

  list(userId: string, includeRevoked: boolean): Promise<TokenEntity[]> {
    const qb = this.dataSource.getRepository(TokenEntity).createQueryBuilder('t').where('t.user_id = :userId', { userId }).orderBy('t.created_at', 'DESC');
    if (!includeRevoked) qb.andWhere(ACTIVE);
    return qb.getMany();
  }

  /** Any token by id (operators, owners after their own check). */
  async find(tokenId: string): Promise<TokenEntity> {
    const token = await this.dataSource.getRepository(TokenEntity).findOneBy({ id: tokenId });
    if (!token) throw new TokenException(TokenErrorCodes.TokenNotFound, 'No such token.');
    return token;
  }

  async findOwned(userId: string, tokenId: string): Promise<TokenEntity> {
    const token = await this.dataSource.getRepository(TokenEntity).findOneBy({ id: tokenId, userId });
    if (!token) throw new TokenException(TokenErrorCodes.TokenNotFound, 'No such token.');
    return token;
  }

  /** Revokes one token; `userId` restricts it to the owner. Idempotent for an already revoked token. */
  async revoke(tokenId: string, reason: 'deleted' | 'legacy_delete', userId?: string): Promise<void> {
    const rows = (await this.dataSource.query(
      `UPDATE "token"."token" SET revoked_at = now(), revoked_reason = $2
        WHERE id = $1 AND ($3::uuid IS NULL OR user_id = $3) AND revoked_at IS NULL
        RETURNING user_id, revoked_at`,
      [tokenId, reason, userId ?? null],
    )) as [{ user_id: string; revoked_at: Date }[], number];
    const [updated] = rows[0];
    if (updated) {
      await this.events.revoked(tokenId, updated.user_id, reason, updated.revoked_at);
      return;
    }
    if (userId) await this.findOwned(userId, tokenId); // 404 unless it exists (already revoked is fine)
  }

  /** Revokes by the secret itself (the legacy delete API): possession is the authorization. The revoked token's id, if any. */
  async revokeBySecret(presented: string): Promise<string | undefined> {
    if (!isWellFormedToken(presented)) return undefined;
    const token = await this.dataSource
      .getRepository(TokenEntity)
      .createQueryBuilder('t')
      .where('t.hash = :hash', { hash: this.hasher.hash(presented) })
      .andWhere('t.revoked_at IS NULL')
      .getOne();
    if (!token) return undefined;
    await this.revoke(token.id, 'legacy_delete');
    return token.id;
  }

  /**
   * Issues a new secret with the same name, scopes, application and expiry.
   * The old secret dies now, or at the end of `graceSeconds` so callers can
   * switch over without an outage.
   */
  async rotate(userId: string, tokenId: string, graceSeconds: number): Promise<RotatedToken> {
    const result = await this.dataSource.transaction(async (tx) => {
      await this.lockActiveUser(tx, userId);
      const old = await tx
        .getRepository(TokenEntity)
        .createQueryBuilder('t')
        .setLock('pessimistic_write')
        .where('t.id = :tokenId AND t.user_id = :userId', { tokenId, userId })
        .getOne();
      if (!old) throw new TokenException(TokenErrorCodes.TokenNotFound, 'No such token.');
      if (old.revokedAt || (old.expiresAt && old.expiresAt <= new Date())) {
        throw new TokenException(TokenErrorCodes.TokenInactive, 'A revoked or expired token cannot be rotated.');
      }
      const minted = await this.insert(tx, {
        userId,
        kind: old.kind,
        name: old.name,
        scopes: old.scopes,
        applicationId: old.applicationId,
        expiresAt: old.expiresAt,
        previousTokenId: old.id,
      });
      const [[ended]] = (await tx.query(
        graceSeconds > 0
          ? `UPDATE "token"."token" SET expires_at = LEAST(COALESCE(expires_at, 'infinity'), now() + make_interval(secs => $2))
              WHERE id = $1 RETURNING expires_at AS ends_at`
          : `UPDATE "token"."token" SET revoked_at = now(), revoked_reason = 'rotated' WHERE id = $1 RETURNING revoked_at AS ends_at`,
        graceSeconds > 0 ? [old.id, graceSeconds] : [old.id],
      )) as [{ ends_at: Date }[], number];
      return { ...minted, previousExpiresAt: ended.ends_at, old };
    });
    if (graceSeconds === 0) await this.events.revoked(result.old.id, userId, 'rotated', result.previousExpiresAt);
    return { secret: result.secret, token: result.token, previousExpiresAt: result.previousExpiresAt };
  }

  private async lockActiveUser(tx: EntityManager, userId: string): Promise<UserEntity> {
    const user = await tx.getRepository(UserEntity).createQueryBuilder('u').setLock('pessimistic_write').where('u.id = :userId', { userId }).getOne();
    if (!user) throw new TokenException(TokenErrorCodes.UserNotFound, 'No such user.');
    if (!user.active) throw new TokenException(TokenErrorCodes.UserInactive, 'The user is deactivated.');
    return user;
  }

  private async insert(tx: EntityManager, request: Omit<MintRequest, 'limit'> & { previousTokenId?: string }): Promise<MintedToken> {
    const secret = generateToken(request.kind);
    const repo = tx.getRepository(TokenEntity);
    const token = await repo.save(
      repo.create({
        kind: request.kind,
        userId: request.userId,
        applicationId: request.applicationId ?? null,
        name: request.name,
        scopes: request.scopes,
        hash: this.hasher.hash(secret),
        ...displayParts(secret),
        expiresAt: request.expiresAt ?? null,
        previousTokenId: request.previousTokenId ?? null,
      }),
    );
    return { secret, token };
  }
}
