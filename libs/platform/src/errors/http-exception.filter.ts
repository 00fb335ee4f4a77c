import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { ErrorBody } from '@zapgate/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isDependencyFailure, isRejectedValue } from './dependency-failure';
import { DomainException } from './domain.exception';

/** Fastify's own client-error codes and what they mean to a caller. */
const FASTIFY_CLIENT_ERRORS: Record<string, { status: number; code: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'payload_too_large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'unsupported_media_type' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'invalid_parameters' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'invalid_parameters' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'invalid_parameters' },
  FST_ERR_CTP_EMPTY_TYPE: { status: 400, code: 'invalid_parameters' },
  FST_ERR_CTP_INVALID_TYPE: { status: 400, code: 'invalid_parameters' },
};

const STATUS_CODES: Record<number, string> = {
  400: 'invalid_parameters',
  401: 'unauthorized',
  403: 'access_denied',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limit_exceeded',
};

/**
 * The one place errors become HTTP answers: domain errors by their code,
 * framework and parser errors by their status, anything else a generic 500
 * that names the correlation id and never a stack trace.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(HttpExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const reply = ctx.getResponse<FastifyReply>();
    const request = ctx.getRequest<FastifyRequest>();
    const { status, body, headers } = this.map(exception, request.id);
    if (status >= 500) {
      this.logger.error({ err: exception, correlationId: request.id, status }, 'request failed');
    }
    void reply.status(status).headers(headers).send(body);
  }

  private map(exception: unknown, correlationId: string): { status: number; body: ErrorBody; headers: Record<string, string> } {
    if (exception instanceof DomainException) {
      const body = exception.toBody();
      if (exception.httpStatus >= 500) body.correlation_id = correlationId;
      return { status: exception.httpStatus, body, headers: exception.headers };
    }
    const fastifyCode = (exception as { code?: unknown })?.code;
    if (typeof fastifyCode === 'string' && FASTIFY_CLIENT_ERRORS[fastifyCode]) {
      const known = FASTIFY_CLIENT_ERRORS[fastifyCode];
      return { status: known.status, body: { code: known.code, message: (exception as Error).message }, headers: {} };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      if (status < 500) {
        return { status, body: { code: STATUS_CODES[status] ?? 'invalid_request', message: exception.message }, headers: {} };
      }
      if (status === 503) {
        // Deliberate (a readiness check saying which dependency is down): keep its details.
        const response = exception.getResponse();
        const details = typeof response === 'object' && response ? response : {};
        return { status, body: { code: 'service_unavailable', message: 'A dependency is unavailable.', ...details }, headers: { 'retry-after': '5' } };
      }
    }
    // Errors of the request's own stream (a client that aborted mid-body) carry a 4xx status: the client's doing.
    const streamStatus = (exception as { statusCode?: unknown })?.statusCode;
    if (typeof streamStatus === 'number' && streamStatus >= 400 && streamStatus < 500) {
      return { status: streamStatus, body: { code: STATUS_CODES[streamStatus] ?? 'invalid_request', message: 'The request could not be read.' }, headers: {} };
    }
    if (isRejectedValue(exception)) {
      // The database refused a value the request carried (a NUL byte, a malformed uuid, text too long): the caller's input.
      return { status: 400, body: { code: 'invalid_parameters', message: 'A value in the request is not acceptable.' }, headers: {} };
    }
    if (isDependencyFailure(exception)) {
      return {
        status: 503,
        body: { code: 'service_unavailable', message: 'A dependency is unavailable; retry later.', correlation_id: correlationId },
        headers: { 'retry-after': '5' },
      };
    }
    return {
      status: 500,
      body: { code: 'internal_error', message: 'Zapgate encountered an error and could not complete the request.', correlation_id: correlationId },
      headers: {},
    };
  }
}
