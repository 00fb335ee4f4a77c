import type { z } from 'zod';

export interface ConfigIssue {
  variable: string;
  message: string;
}

/** Thrown at boot when the environment does not satisfy a service's schema. */
export class ConfigValidationError extends Error {
  constructor(readonly issues: ConfigIssue[]) {
    super(`Invalid configuration: ${issues.map((i) => `${i.variable}: ${i.message}`).join('; ')}`);
    this.name = 'ConfigValidationError';
  }
}

/**
 * Reads and validates the environment once. Keys of the schema are the
 * environment variable names, so every error names the variable to fix.
 */
export function loadConfig<S extends z.ZodObject>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  // An empty variable (`FOO=`) means "not set", so defaults still apply.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(present);
  if (result.success) return result.data;
  throw new ConfigValidationError(
    result.error.issues.map((issue) => ({
      variable: String(issue.path[0] ?? '(root)'),
      message: issue.code === 'invalid_type' && present[String(issue.path[0])] === undefined ? 'is required' : issue.message,
    })),
  );
}

/** The config with secret values masked, for the one boot log line. */
export function describeConfig(config: object, secrets: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, secrets.includes(k) ? '[redacted]' : k.endsWith('_URL') ? maskUrlPassword(v) : v]));
}

function maskUrlPassword(value: unknown): unknown {
  return typeof value === 'string' ? value.replace(/(\/\/[^:/@\s]+):[^@\s]*@/g, '$1:[redacted]@') : value;
}
