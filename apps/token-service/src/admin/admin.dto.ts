import { z } from 'zod';

export const CreateUserSchema = z.strictObject({
  email: z.email().max(254),
  display_name: z.string().trim().min(1).max(100),
  password: z.string().min(10).max(200).optional(),
  confirmed: z.boolean().default(true),
});

export const MintTokenSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  scopes: z.array(z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/)).max(32).default([]),
});

export const UserIdParamSchema = z.uuid();
