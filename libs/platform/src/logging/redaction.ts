/**
 * Paths pino censors in every log line. Configured here once so no call site
 * has to remember; a test mints secrets and greps captured logs for them.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-admin-key"]',
  'req.headers["x-appkey"]',
  'req.headers["x-owner-key"]',
  'req.headers["x-hub-signature-256"]',
  'req.headers["x-hub-signature"]',
  'req.headers["x-gitlab-token"]',
  'req.headers["webhook-signature"]',
  'headers.authorization',
  'headers["x-admin-key"]',
  'headers["x-owner-key"]',
  '*.token',
  '*.password',
  '*.secret',
  '*.appkey',
  '*.owner_key',
  '*.ownerKey',
  '*.zapikey',
  '*.authtoken',
  '*.clientSecret',
  '*.accessToken',
  '*.refreshToken',
  'token',
  'password',
  'secret',
];

/** Query parameters that carry credentials in Cliq-shaped URLs. */
const SECRET_QUERY_PARAMS =
  /([?&](?:zapikey|authtoken|appkey|crmauthtoken|token|password|access_token|refresh_token|code|state|client_secret|link|sig)=)[^&#]*/gi;

export function redactUrl(url: string): string {
  return url.replace(SECRET_QUERY_PARAMS, '$1[redacted]');
}
