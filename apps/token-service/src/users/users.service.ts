import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, QueryFailedError } from 'typeorm';
import { TokenEventsPublisher } from '../tokens/token-events.publisher';
import { TokenErrorCodes, TokenException } from '../tokens/token.exception';
import { hashPassword } from './password-hasher';
import { UserEntity } from './user.entity';

export interface CreateUser {
  email: string;
  displayName: string;
  password?: string;
  confirmed: boolean;
}

const UNIQUE_VIOLATION = '23505';

@Injectable()
export class UsersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly events: TokenEventsPublisher,
  ) {}

  private get users() {
    return this.dataSource.getRepository(UserEntity);
  }

  async create(input: CreateUser): Promise<UserEntity> {
    const entity = this.users.create({
      email: input.email.toLowerCase(),
      displayName: input.displayName,
      passwordHash: input.password ? await hashPassword(input.password) : null,
      confirmed: input.confirmed,
      active: true,
    });
    try {
      return await this.users.save(entity);
    } catch (err) {
      if (err instanceof QueryFailedError && (err.driverError as { code?: string }).code === UNIQUE_VIOLATION) {
        throw new TokenException(TokenErrorCodes.EmailTaken, 'A user with this email already exists.');
      }
      throw err;
    }
  }

  /** The user with this email, created (confirmed, no password) if the extension platform vouches for a new one. */
  async findOrProvision(email: string, displayName: string): Promise<UserEntity> {
    const existing = await this.findByEmail(email);
    if (existing) return existing;
    try {
      return await this.create({ email, displayName, confirmed: true });
    } catch (err) {
      // Two first clicks at once: the other request created it.
      if (err instanceof TokenException && err.code === TokenErrorCodes.EmailTaken) return (await this.findByEmail(email))!;
      throw err;
    }
  }

  findByEmail(email: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ email: email.toLowerCase() });
  }

  async get(id: string): Promise<UserEntity> {
    const user = await this.users.findOneBy({ id });
    if (!user) throw new TokenException(TokenErrorCodes.UserNotFound, 'No such user.');
    return user;
  }

  async confirm(id: string): Promise<UserEntity> {
    await this.get(id);
    await this.users.update({ id }, { confirmed: true });
    return this.get(id);
  }

  /**
   * Deactivation kills every token and session of the user at once. Tokens are
   * revoked rather than merely hidden, so reactivating the user does not bring
   * old secrets back to life.
   */
  async deactivate(id: string): Promise<UserEntity> {
    const deactivatedAt = await this.dataSource.transaction(async (tx) => {
      const [[row]] = (await tx.query(
        `UPDATE "token"."user" SET active = false, deactivated_at = COALESCE(deactivated_at, now())
          WHERE id = $1 RETURNING deactivated_at`,
        [id],
      )) as [{ deactivated_at: Date }[], number];
      if (!row) throw new TokenException(TokenErrorCodes.UserNotFound, 'No such user.');
      await tx.query(`UPDATE "token"."token" SET revoked_at = now(), revoked_reason = 'user_deactivated' WHERE user_id = $1 AND revoked_at IS NULL`, [id]);
      await tx.query(`UPDATE "token"."session" SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL`, [id]);
      return row.deactivated_at;
    });
    await this.events.userDeactivated(id, deactivatedAt);
    return this.get(id);
  }

  /**
   * Erases a user: deactivated first (tokens and sessions dead, caches told),
   * then the erasure is published for the other services, then the user goes
   * with their tokens, sessions and usage counts (ON DELETE CASCADE). Each
   * step holds on a retry, so a call that failed half-way can be repeated.
   */
  async erase(id: string): Promise<{ userId: string; email: string; erasedAt: Date }> {
    const user = await this.deactivate(id);
    const erasedAt = new Date();
    await this.events.userErased(id, user.email, erasedAt);
    await this.dataSource.transaction(async (tx) => {
      await tx.query(`DELETE FROM "token"."signin_throttle" WHERE key = $1`, [`account:${user.email}`]);
      await tx.query(`DELETE FROM "token"."user" WHERE id = $1`, [id]);
    });
    return { userId: id, email: user.email, erasedAt };
  }

  async reactivate(id: string): Promise<UserEntity> {
    await this.get(id);
    await this.users.update({ id }, { active: true, deactivatedAt: null });
    return this.get(id);
  }
}
