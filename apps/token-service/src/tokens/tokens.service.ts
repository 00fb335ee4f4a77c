import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { TokensVerifyReply } from '@zapgate/contracts';
import { displayParts, generateToken, isWellFormedToken, type TokenKind } from '@zapgate/token-client';
import { Repository } from 'typeorm';
import { UserEntity } from '../users/user.entity';
import { TokenHasher } from './token-hasher';
import { TokenEntity } from './token.entity';
import { TokenErrorCodes, TokenException } from './token.exception';

export interface MintRequest {
  userId: string;
  kind: TokenKind;
  name: string;
  scopes: string[];
  applicationId?: string | null;
  expiresAt?: Date | null;
}

export interface MintedToken {
  /** Shown once; never retrievable again. */
  secret: string;
  token: TokenEntity;
}

@Injectable()
export class TokensService {
  constructor(
    @InjectRepository(TokenEntity) private readonly tokens: Repository<TokenEntity>,
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    @Inject(TokenHasher) private readonly hasher: TokenHasher,
  ) {}

  async mint(request: MintRequest): Promise<MintedToken> {
    const user = await this.users.findOneBy({ id: request.userId });
    if (!user) throw new TokenException(TokenErrorCodes.UserNotFound, 'No such user.');
    if (!user.active) throw new TokenException(TokenErrorCodes.UserInactive, 'The user is deactivated.');
    const secret = generateToken(request.kind);
    const entity = this.tokens.create({
      kind: request.kind,
      userId: user.id,
      applicationId: request.applicationId ?? null,
      name: request.name,
      scopes: request.scopes,
      hash: this.hasher.hash(secret),
      ...displayParts(secret),
      expiresAt: request.expiresAt ?? null,
    });
    const saved = await this.tokens.save(entity);
    return { secret, token: saved };
  }

  /** Checksum first (free), then the keyed-hash lookup, then revoked/expired/inactive-user checks. */
  async verify(presented: string): Promise<TokensVerifyReply> {
    if (!isWellFormedToken(presented)) return { active: false };
    const row = await this.tokens
      .createQueryBuilder('t')
      .innerJoin(UserEntity, 'u', 'u.id = t.user_id')
      .where('t.hash = :hash', { hash: this.hasher.hash(presented) })
      .andWhere('t.revoked_at IS NULL')
      .andWhere('(t.expires_at IS NULL OR t.expires_at > now())')
      .andWhere('u.active')
      .getOne();
    if (!row) return { active: false };
    return { active: true, tokenId: row.id, userId: row.userId, appId: row.applicationId, scopes: row.scopes };
  }
}
