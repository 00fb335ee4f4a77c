import { z } from 'zod';

/** A rotation's body, for a user's own tokens and for operators alike. */
export const RotateBodySchema = (maxGraceSeconds: number) => z.strictObject({ grace_period_seconds: z.number().int().min(0).max(maxGraceSeconds).default(0) });
