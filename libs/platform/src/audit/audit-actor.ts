import type { FastifyRequest } from 'fastify';

/**
 * Who did something, as the guard that let the request in knows it:
 * an operator key, an application's owner key, a signed-in user (session or
 * self-service link), a token, or another Zapgate service whose event this
 * service acted on. Never a secret: ids and names only.
 */
export interface AuditActor {
  type: 'operator' | 'owner' | 'user' | 'token' | 'service';
  id: string;
  name?: string;
}

type AuditedRequest = FastifyRequest & { auditActor?: AuditActor; auditTargetId?: string };

/** Guards call this once they have authenticated the caller. */
export function setAuditActor(request: FastifyRequest, actor: AuditActor): void {
  (request as AuditedRequest).auditActor = actor;
}

export function auditActorOf(request: FastifyRequest): AuditActor | undefined {
  return (request as AuditedRequest).auditActor;
}

/** A route whose answer is not its JSON view (an HTML page) names the audited target here. */
export function setAuditTarget(request: FastifyRequest, targetId: string): void {
  (request as AuditedRequest).auditTargetId = targetId;
}

export function auditTargetOf(request: FastifyRequest): string | undefined {
  return (request as AuditedRequest).auditTargetId;
}
