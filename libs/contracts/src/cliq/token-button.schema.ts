import { z } from 'zod';

/**
 * The token generation button, exactly as Cliq's ZAPI-key docs define it:
 * an `invoke.function` button whose confirm dialog asks for a
 * `user_webhook_token`. Limits: label ≤ 20, hint ≤ 100, type `+` or `-`.
 */
export const TokenButtonSchema = z
  .object({
    label: z.string({ error: 'label is required' }).trim().min(1, 'label is required').max(20, 'label may have at most 20 characters'),
    hint: z.string().max(100, 'hint may have at most 100 characters').optional(),
    type: z.enum(['+', '-'], { error: "type must be '+' (positive) or '-' (negative or neutral)" }),
    key: z.string().max(100, 'key may have at most 100 characters').optional(),
    action: z.object(
      {
        type: z.literal('invoke.function', { error: "action.type must be 'invoke.function' for a token generation button" }),
        data: z.object(
          {
            name: z.string({ error: 'action.data.name (the function to invoke) is required' }).min(1, 'action.data.name is required').max(100),
            owner: z.email('action.data.owner must be the email of the extension developer').optional(),
          },
          { error: 'action.data is required' },
        ),
        confirm: z.object(
          {
            title: z.string({ error: 'action.confirm.title is required' }).min(1, 'action.confirm.title is required').max(100),
            description: z.string({ error: 'action.confirm.description is required' }).min(1, 'action.confirm.description is required').max(100),
            input: z.object(
              { type: z.literal('user_webhook_token', { error: "action.confirm.input.type must be 'user_webhook_token'" }) },
              { error: 'action.confirm.input is required' },
            ),
          },
          { error: 'action.confirm is required' },
        ),
      },
      { error: 'action is required' },
    ),
  })
  .meta({ id: 'TokenButton' });
export type TokenButton = z.infer<typeof TokenButtonSchema>;

/** The Cliq user object as extension handlers receive it. */
export const CliqUserSchema = z.looseObject({
  id: z.union([z.string().min(1), z.number()], { error: 'user.id is required' }).transform(String),
  email: z.email('user.email must be an email address'),
  first_name: z.string().max(100).optional(),
  last_name: z.string().max(100).optional(),
});
export type CliqUser = z.infer<typeof CliqUserSchema>;
