import { RpcSubjects, type ApplicationsVerifyReply } from '@zapgate/contracts';
import type { RpcService } from '@zapgate/platform';

export type VerifiedApplication = Extract<ApplicationsVerifyReply, { valid: true }>['application'];

/** Asks token-service whether `appkey` belongs to application `appId`; the application, or undefined. */
export async function verifyAppkey(rpc: RpcService, appId: string, appkey: string, correlationId?: string): Promise<VerifiedApplication | undefined> {
  const reply = await rpc.request(RpcSubjects.ApplicationsVerify, { appId: appId.slice(0, 64), appkey: appkey.slice(0, 512) }, { correlationId });
  return reply.valid ? reply.application : undefined;
}

/** The appkey a request presents: `?appkey=` (Cliq's form) or the X-Appkey header. */
export function presentedAppkey(query: unknown, headers: Record<string, string | string[] | undefined>): string | undefined {
  const fromQuery = (query as Record<string, unknown> | undefined)?.appkey;
  const value = typeof fromQuery === 'string' ? fromQuery : headers['x-appkey'];
  return typeof value === 'string' && value ? value : undefined;
}
