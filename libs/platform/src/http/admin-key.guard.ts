import { type CanActivate, type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { CommonCodes, CommonException } from '../errors';
import { OperatorVerifier } from '../operators/operator-verifier';

const ADMIN_ONLY = 'zapgate:admin-only';

/** Routes only an admin key may call (managing operator keys). */
export const AdminOnly = () => SetMetadata(ADMIN_ONLY, true);

/** Operator routes of any service: X-Admin-Key with a role that allows the request. */
@Injectable()
export class AdminKeyGuard implements CanActivate {
  constructor(
    private readonly operators: OperatorVerifier,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const adminOnly = this.reflector.getAllAndOverride<boolean | undefined>(ADMIN_ONLY, [context.getHandler(), context.getClass()]);
    const operator = await this.operators.authorize(context.switchToHttp().getRequest<FastifyRequest>(), { adminOnly });
    if (operator) return true;
    throw new CommonException(CommonCodes.Unauthorized, 'A valid X-Admin-Key header is required.');
  }
}
