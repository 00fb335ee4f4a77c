import { ScopeListSchema } from '@zapgate/contracts';
import { z } from 'zod';

export const CreateUserSchema = z.strictObject({
  email: z.email().max(254),
  display_name: z.string().trim().min(1).max(100),
  password: z.string().min(10).max(200).optional(),
  confirmed: z.boolean().default(true),
});

export const MintTokenSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  scopes: ScopeListSchema.prefault([]),
});

export const IdParamSchema = z.uuid();

const httpsOrLocalUrl = z.url({ protocol: /^https?$/ }).max(2000);
const ApplicationFields = {
  name: z.string().trim().min(1).max(100),
  owner_email: z.email().max(254),
  handler_urls: z.strictObject({ incoming: httpsOrLocalUrl.optional(), function: httpsOrLocalUrl.optional() }),
  allowed_scopes: ScopeListSchema,
  max_tokens_per_user: z.number().int().min(1).max(1000),
};

export const CreateApplicationSchema = z.strictObject({
  ...ApplicationFields,
  handler_urls: ApplicationFields.handler_urls.default({}),
  allowed_scopes: ApplicationFields.allowed_scopes.prefault([]),
  max_tokens_per_user: ApplicationFields.max_tokens_per_user.default(5),
});

export const UpdateApplicationSchema = z
  .strictObject({
    name: ApplicationFields.name.optional(),
    owner_email: ApplicationFields.owner_email.optional(),
    handler_urls: ApplicationFields.handler_urls.optional(),
    allowed_scopes: ApplicationFields.allowed_scopes.optional(),
    max_tokens_per_user: ApplicationFields.max_tokens_per_user.optional(),
  })
  .refine((p) => Object.keys(p).length > 0, { message: 'give at least one field to change' });
