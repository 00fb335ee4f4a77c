import type { z } from 'zod';
import { CommonException, type ErrorDetail } from './domain.exception';

export function zodDetails(error: z.ZodError, prefix = ''): ErrorDetail[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(root)',
    message: issue.message,
  }));
}

/** Parses input against a schema, or throws a 400 listing every violation. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, prefix = ''): z.infer<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw CommonException.invalid(zodDetails(result.error, prefix));
  return result.data;
}
