import { Injectable } from '@nestjs/common';
import { TokenErrorCodes, TokenException } from '../tokens/token.exception';
import { hashPassword, verifyPassword } from '../users/password-hasher';
import type { UserEntity } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { SignInThrottle } from './signin-throttle.service';

/**
 * Email + password → user, for sessions and the legacy authtoken API.
 * Unknown email and wrong password take the same time and give the same
 * answer; "not confirmed" and "deactivated" are told only after the password
 * checked out, so they reveal nothing to someone guessing.
 */
@Injectable()
export class CredentialsService {
  private dummyHash?: Promise<string>;

  constructor(
    private readonly users: UsersService,
    private readonly throttle: SignInThrottle,
  ) {}

  async check(email: string, password: string, ip?: string): Promise<UserEntity> {
    const keys = { account: email, ip };
    await this.throttle.assertAllowed(keys);
    const user = await this.users.findByEmail(email);
    // Without a user (or a password) still pay for one scrypt, so timing says nothing.
    this.dummyHash ??= hashPassword('zapgate-timing-equaliser');
    const ok = await verifyPassword(password, user?.passwordHash ?? (await this.dummyHash));
    if (!user || !user.passwordHash || !ok) {
      await this.throttle.recordFailure(keys);
      throw new TokenException(TokenErrorCodes.InvalidCredentials, 'The email or password is wrong.');
    }
    await this.throttle.recordSuccess(keys);
    if (!user.active) throw new TokenException(TokenErrorCodes.UserInactive, 'The user is deactivated.');
    if (!user.confirmed) throw new TokenException(TokenErrorCodes.NotConfirmed, 'The account registration is not confirmed.');
    return user;
  }
}
