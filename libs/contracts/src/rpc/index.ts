import type { z } from 'zod';
import { RpcSubjects, type RpcSubject } from '../subjects';
import { ApplicationsVerifyReplySchema, ApplicationsVerifyRequestSchema } from './applications-verify.rpc';
import { TokensVerifyReplySchema, TokensVerifyRequestSchema } from './tokens-verify.rpc';

export * from './tokens-verify.rpc';
export * from './applications-verify.rpc';

/** Subject → request and reply schemas for NATS request/reply. */
export const RpcSchemas = {
  [RpcSubjects.TokensVerify]: { request: TokensVerifyRequestSchema, reply: TokensVerifyReplySchema },
  [RpcSubjects.ApplicationsVerify]: { request: ApplicationsVerifyRequestSchema, reply: ApplicationsVerifyReplySchema },
} as const satisfies Record<RpcSubject, { request: z.ZodType; reply: z.ZodType }>;

export type RequestOf<S extends RpcSubject> = z.infer<(typeof RpcSchemas)[S]['request']>;
export type ReplyOf<S extends RpcSubject> = z.infer<(typeof RpcSchemas)[S]['reply']>;
