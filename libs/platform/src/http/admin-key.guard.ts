import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Headers } from '@zapgate/contracts';
import type { FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import { APP_CONFIG } from '../config';
import { CommonCodes, CommonException } from '../errors';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** True when the request's X-Admin-Key equals the configured key (compared in constant time, whatever the length). */
export function hasAdminKey(request: FastifyRequest, expected: string): boolean {
  const presented = request.headers[Headers.AdminKey];
  return typeof presented === 'string' && timingSafeEqual(digest(presented), digest(expected));
}

/** Operator routes of any service whose config has ADMIN_API_KEY. */
@Injectable()
export class AdminKeyGuard implements CanActivate {
  constructor(@Inject(APP_CONFIG) private readonly config: { ADMIN_API_KEY: string }) {}

  canActivate(context: ExecutionContext): boolean {
    if (hasAdminKey(context.switchToHttp().getRequest<FastifyRequest>(), this.config.ADMIN_API_KEY)) return true;
    throw new CommonException(CommonCodes.Unauthorized, 'A valid X-Admin-Key header is required.');
  }
}
