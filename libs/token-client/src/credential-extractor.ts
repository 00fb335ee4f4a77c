/**
 * Where Cliq-shaped clients put a token: `?zapikey=`, `?authtoken=`, or the
 * Authorization header as a bare token, `Bearer <t>` or `Zoho-oauthtoken <t>`.
 */
export interface CredentialSource {
  query?: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
}

const SCHEMES = /^(?:bearer|zoho-oauthtoken|zoho-authtoken)\s+(\S+)$/i;

export function extractToken(source: CredentialSource): string | undefined {
  for (const name of ['zapikey', 'authtoken']) {
    const value = source.query?.[name];
    if (typeof value === 'string' && value.length > 0) return value;
  }
  const header = source.headers.authorization;
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  const trimmed = value.trim();
  const scheme = SCHEMES.exec(trimmed);
  if (scheme) return scheme[1];
  return /\s/.test(trimmed) ? undefined : trimmed;
}
