import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { APP_CONFIG } from '@zapgate/platform';
import { generateToken, isWellFormedSecret } from '@zapgate/token-client';
import { DataSource } from 'typeorm';
import type { TokenConfig } from '../token-config.schema';
import { TokenHasher } from '../tokens/token-hasher';
import { UserEntity } from '../users/user.entity';
import { SessionEntity } from './session.entity';

export interface OpenedSession {
  secret: string;
  session: SessionEntity;
}

@Injectable()
export class SessionsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(TokenHasher) private readonly hasher: TokenHasher,
    @Inject(APP_CONFIG) private readonly config: TokenConfig,
  ) {}

  async open(userId: string, ip?: string): Promise<OpenedSession> {
    const secret = generateToken('session');
    const repo = this.dataSource.getRepository(SessionEntity);
    const session = await repo.save(
      repo.create({
        userId,
        hash: this.hasher.hash(secret),
        ip: ip ?? null,
        expiresAt: new Date(Date.now() + this.config.SESSION_TTL_SECONDS * 1000),
      }),
    );
    return { secret, session };
  }

  /** The live session for a presented secret, or undefined (expired, revoked, user deactivated, unknown). */
  async resolve(presented: string): Promise<SessionEntity | undefined> {
    if (!isWellFormedSecret(presented, 'session')) return undefined;
    const session = await this.dataSource
      .getRepository(SessionEntity)
      .createQueryBuilder('s')
      .innerJoin(UserEntity, 'u', 'u.id = s.user_id')
      .where('s.hash = :hash', { hash: this.hasher.hash(presented) })
      .andWhere('s.revoked_at IS NULL AND s.expires_at > now() AND u.active')
      .getOne();
    return session ?? undefined;
  }

  async close(sessionId: string): Promise<void> {
    await this.dataSource.getRepository(SessionEntity).update({ id: sessionId }, { revokedAt: new Date() });
  }
}
