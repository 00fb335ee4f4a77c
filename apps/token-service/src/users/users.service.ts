import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, Repository } from 'typeorm';
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
  constructor(@InjectRepository(UserEntity) private readonly users: Repository<UserEntity>) {}

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
}
