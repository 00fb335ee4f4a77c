import { z } from 'zod';

/** What an operator key may do: read only; everything but managing operator keys; everything. */
export const OperatorRoleSchema = z.enum(['read-only', 'operator', 'admin']);
export type OperatorRole = z.infer<typeof OperatorRoleSchema>;

export const OperatorsVerifyRequestSchema = z.object({ key: z.string().max(512) });

export const OperatorsVerifyReplySchema = z.discriminatedUnion('valid', [
  z.object({ valid: z.literal(true), operator: z.object({ keyId: z.uuid(), name: z.string(), role: OperatorRoleSchema }) }),
  z.object({ valid: z.literal(false) }),
]);
export type OperatorsVerifyReply = z.infer<typeof OperatorsVerifyReplySchema>;
