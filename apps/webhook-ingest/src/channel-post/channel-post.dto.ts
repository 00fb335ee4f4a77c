import { z } from 'zod';

/** Cliq channel unique names: letters, digits, `_` and `-`. */
export const ChannelNameSchema = z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'must be 1–100 letters, digits, _ or -');

// The v2 message-format docs allow 10,000 characters; v3 schemas say 5,000. These are v2 routes.
export const ChannelPostSchema = z.looseObject({
  text: z.string().trim().min(1, 'text is required').max(10_000),
});
