import { z } from 'zod';

/** A rotation's body, for a user's own tokens and for operators alike. */
export const RotateBodySchema = (maxGraceSeconds: number) => z.strictObject({ grace_period_seconds: z.number().int().min(0).max(maxGraceSeconds).default(0) });

/** The same body as the document shows it: the bound is the deployment's MAX_ROTATION_GRACE_SECONDS. */
export const RotateBodyDocSchema = z.strictObject({
  grace_period_seconds: z.number().int().min(0).default(0).describe('how long the old secret keeps working; at most MAX_ROTATION_GRACE_SECONDS'),
});
