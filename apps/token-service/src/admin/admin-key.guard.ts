import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Headers } from '@zapgate/contracts';
import { APP_CONFIG, CommonCodes, CommonException } from '@zapgate/platform';
import type { FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { TokenConfig } from '../token-config.schema';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Operator routes: the X-Admin-Key header must equal ADMIN_API_KEY (compared in constant time). */
@Injectable()
export class AdminKeyGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(@Inject(APP_CONFIG) config: TokenConfig) {
    this.expected = digest(config.ADMIN_API_KEY);
  }

  canActivate(context: ExecutionContext): boolean {
    const header = context.switchToHttp().getRequest<FastifyRequest>().headers[Headers.AdminKey];
    const presented = Array.isArray(header) ? header[0] : header;
    if (!presented || !timingSafeEqual(digest(presented), this.expected)) {
      throw new CommonException(CommonCodes.Unauthorized, 'A valid X-Admin-Key header is required.');
    }
    return true;
  }
}
