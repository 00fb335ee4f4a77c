import { KeysetCursorSchema, PageLimitSchema } from '@zapgate/platform';
import { z } from 'zod';

const page = { cursor: KeysetCursorSchema.optional(), limit: PageLimitSchema };

export const TokenListQuerySchema = z.looseObject({
  ...page,
  user_id: z.uuid().optional(),
  application_id: z.uuid().optional(),
  status: z.enum(['active', 'revoked', 'expired']).optional(),
  kind: z.enum(['zapikey', 'authtoken']).optional(),
});

export const UserListQuerySchema = z.looseObject({
  ...page,
  email: z.string().trim().min(1).max(254).optional(),
  active: z.stringbool().optional(),
});

export const PageQuerySchema = z.looseObject(page);
