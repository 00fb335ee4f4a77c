import {
  applyDecorators,
  type CallHandler,
  type ExecutionContext,
  Inject,
  Injectable,
  Logger,
  type NestInterceptor,
  SetMetadata,
  UseInterceptors,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { from, mergeMap, type Observable } from 'rxjs';
import { auditActorOf, auditTargetOf } from './audit-actor';
import { AuditRepository } from './audit.repository';

const AUDITED = 'zapgate:audited';

export interface AuditedOptions {
  /** What the action is about: `user`, `token`, `subscription`… */
  target: string;
  /** Where its id is: a route parameter's name, or `response` for the answer's `id` (`response.<field>` for another field). */
  id?: string;
}

/**
 * Records the action in the service's audit log when the route succeeds (who, what, when, from where).
 * The interceptor is bound to the decorated route only, not globally: Nest wraps every intercepted
 * request in rxjs and AsyncResource bindings: on the webhook path, a third of its CPU per request.
 */
export const Audited = (action: string, options: AuditedOptions) =>
  applyDecorators(SetMetadata(AUDITED, { action, ...options }), UseInterceptors(AuditedInterceptor));

/**
 * Writes an audit entry after a decorated route succeeded, before the answer
 * goes out. The action has happened by then: if the write fails it is logged
 * and counted, and the caller still gets the truth about the action.
 */
@Injectable()
export class AuditedInterceptor implements NestInterceptor {
  private readonly logger = new Logger(AuditedInterceptor.name);

  constructor(
    private readonly reflector: Reflector,
    @Inject(AuditRepository) private readonly audit: AuditRepository,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const meta = this.reflector.get<({ action: string } & AuditedOptions) | undefined>(AUDITED, context.getHandler());
    if (!meta) return next.handle();
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    return next.handle().pipe(
      mergeMap((body: unknown) =>
        from(
          (async () => {
            const field = meta.id === 'response' ? 'id' : meta.id?.startsWith('response.') ? meta.id.slice('response.'.length) : undefined;
            const targetId = field
              ? (body as Record<string, unknown> | undefined)?.[field]
              : meta.id
                ? (request.params as Record<string, string | undefined>)[meta.id]
                : undefined;
            await this.audit
              .record({
                action: meta.action,
                actor: auditActorOf(request),
                ip: request.ip,
                targetType: meta.target,
                targetId: auditTargetOf(request) ?? (typeof targetId === 'string' ? targetId : undefined),
                correlationId: request.id,
              })
              .catch((err: unknown) => this.logger.error({ err, action: meta.action }, 'could not write an audit entry'));
            return body;
          })(),
        ),
      ),
    );
  }
}
