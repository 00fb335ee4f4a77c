import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { pageOf, type KeysetPosition } from '@zapgate/platform';
import { DataSource, type ObjectLiteral, type SelectQueryBuilder } from 'typeorm';
import { ApplicationEntity } from '../applications/application.entity';
import { TokenEntity } from '../tokens/token.entity';
import { UserEntity } from '../users/user.entity';

export type TokenStatus = 'active' | 'revoked' | 'expired';

export interface TokenFilter {
  userId?: string;
  applicationId?: string;
  status?: TokenStatus;
  kind?: 'zapikey' | 'authtoken';
}

export interface UserFilter {
  /** Case-insensitive substring of the e-mail address. */
  email?: string;
  active?: boolean;
}

export interface Page<T> {
  rows: T[];
  next: KeysetPosition | undefined;
}

const STATUS_SQL: Record<TokenStatus, string> = {
  active: `t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())`,
  revoked: `t.revoked_at IS NOT NULL`,
  expired: `t.revoked_at IS NULL AND t.expires_at <= now()`,
};

/**
 * Operator and owner listings, newest first, one keyset page at a time.
 * Positions compare at millisecond precision on both sides: PostgreSQL keeps
 * microseconds, a cursor carries what a JS Date can, and comparing the raw
 * column with a truncated cursor would skip rows within that millisecond.
 */
@Injectable()
export class DirectoryRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  tokens(filter: TokenFilter, limit: number, after?: KeysetPosition): Promise<Page<TokenEntity>> {
    const qb = this.dataSource.getRepository(TokenEntity).createQueryBuilder('t');
    if (filter.userId) qb.andWhere('t.user_id = :userId', { userId: filter.userId });
    if (filter.applicationId) qb.andWhere('t.application_id = :applicationId', { applicationId: filter.applicationId });
    if (filter.kind) qb.andWhere('t.kind = :kind', { kind: filter.kind });
    if (filter.status) qb.andWhere(STATUS_SQL[filter.status]);
    return this.page(qb, 't', limit, after);
  }

  users(filter: UserFilter, limit: number, after?: KeysetPosition): Promise<Page<UserEntity>> {
    const qb = this.dataSource.getRepository(UserEntity).createQueryBuilder('u');
    if (filter.email) qb.andWhere(`u.email LIKE :email ESCAPE '\\'`, { email: `%${escapeLike(filter.email.toLowerCase())}%` });
    if (filter.active !== undefined) qb.andWhere('u.active = :active', { active: filter.active });
    return this.page(qb, 'u', limit, after);
  }

  applications(limit: number, after?: KeysetPosition): Promise<Page<ApplicationEntity>> {
    return this.page(this.dataSource.getRepository(ApplicationEntity).createQueryBuilder('a'), 'a', limit, after);
  }

  private async page<T extends ObjectLiteral & { createdAt: Date; id: string }>(
    qb: SelectQueryBuilder<T>,
    alias: string,
    limit: number,
    after?: KeysetPosition,
  ): Promise<Page<T>> {
    const at = `date_trunc('milliseconds', ${alias}.created_at)`;
    if (after) qb.andWhere(`(${at}, ${alias}.id) < (:afterAt::timestamptz, :afterId::uuid)`, { afterAt: after.at, afterId: after.id });
    const rows = await qb
      .orderBy(at, 'DESC')
      .addOrderBy(`${alias}.id`, 'DESC')
      .limit(limit + 1)
      .getMany();
    return pageOf(rows, limit);
  }
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}
