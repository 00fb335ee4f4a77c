import type { z } from 'zod';
import { RpcSubjects, type RpcSubject } from '../subjects';
import { ApplicationsVerifyOwnerRequestSchema, ApplicationsVerifyReplySchema, ApplicationsVerifyRequestSchema } from './applications-verify.rpc';
import { ApplicationsGetReplySchema, ApplicationsGetRequestSchema, UsersGetReplySchema, UsersGetRequestSchema } from './directory-get.rpc';
import { OAuthTokenGetReplySchema, OAuthTokenGetRequestSchema } from './oauth-token-get.rpc';
import { OperatorsVerifyReplySchema, OperatorsVerifyRequestSchema } from './operators-verify.rpc';
import { TokensVerifyReplySchema, TokensVerifyRequestSchema } from './tokens-verify.rpc';

export * from './tokens-verify.rpc';
export * from './applications-verify.rpc';
export * from './directory-get.rpc';
export * from './oauth-token-get.rpc';
export * from './operators-verify.rpc';

/** Subject → request and reply schemas for NATS request/reply. */
export const RpcSchemas = {
  [RpcSubjects.TokensVerify]: { request: TokensVerifyRequestSchema, reply: TokensVerifyReplySchema },
  [RpcSubjects.ApplicationsVerify]: { request: ApplicationsVerifyRequestSchema, reply: ApplicationsVerifyReplySchema },
  [RpcSubjects.ApplicationsVerifyOwner]: { request: ApplicationsVerifyOwnerRequestSchema, reply: ApplicationsVerifyReplySchema },
  [RpcSubjects.ApplicationsGet]: { request: ApplicationsGetRequestSchema, reply: ApplicationsGetReplySchema },
  [RpcSubjects.UsersGet]: { request: UsersGetRequestSchema, reply: UsersGetReplySchema },
  [RpcSubjects.OAuthTokenGet]: { request: OAuthTokenGetRequestSchema, reply: OAuthTokenGetReplySchema },
  [RpcSubjects.OperatorsVerify]: { request: OperatorsVerifyRequestSchema, reply: OperatorsVerifyReplySchema },
} as const satisfies Record<RpcSubject, { request: z.ZodType; reply: z.ZodType }>;

export type RequestOf<S extends RpcSubject> = z.infer<(typeof RpcSchemas)[S]['request']>;
export type ReplyOf<S extends RpcSubject> = z.infer<(typeof RpcSchemas)[S]['reply']>;
