import { type CallHandler, type ExecutionContext, Injectable, Logger, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { map, type Observable } from 'rxjs';
import type { z } from 'zod';
import { RESPONSE_SCHEMA } from './zod-openapi';

/**
 * With VALIDATE_RESPONSES on (the tests run so), checks each answer against the schema its route
 * documents and turns a mismatch into a 500 that names the route: every e2e test doubles as a
 * check that the OpenAPI documents (and the client generated from them) tell the truth.
 * PlatformModule registers it only then: in production it is not on the request path at all.
 */
@Injectable()
export class ResponseContractInterceptor implements NestInterceptor {
  private readonly logger = new Logger(ResponseContractInterceptor.name);

  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const schema = this.reflector.get<z.ZodType | undefined>(RESPONSE_SCHEMA, context.getHandler());
    if (!schema) return next.handle();
    return next.handle().pipe(
      map((body: unknown) => {
        // Routes that write the reply themselves (SSE, raw) hand Nest nothing to check.
        if (body === undefined) return body;
        // A route that answers another media type (an HTML page for browsers) is not its JSON view.
        const type = context.switchToHttp().getResponse<{ getHeader(name: string): unknown }>().getHeader('content-type');
        if (typeof type === 'string' && !type.includes('json')) return body;
        // What the client receives: Dates as ISO strings, undefined fields gone.
        const result = schema.safeParse(JSON.parse(JSON.stringify(body)));
        if (!result.success) {
          const route = `${context.getClass().name}.${context.getHandler().name}`;
          this.logger.error({ route, issues: result.error.issues.slice(0, 5) }, 'answer does not match its documented schema');
          throw new Error(`${route} answered outside its documented schema: ${result.error.issues[0]?.path.join('.')} ${result.error.issues[0]?.message}`);
        }
        return body;
      }),
    );
  }
}
