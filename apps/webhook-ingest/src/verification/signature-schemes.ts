import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export type SignatureScheme = 'github' | 'gitlab' | 'standard-webhooks';
export type SignatureFailure = 'missing_signature' | 'bad_signature' | 'stale_timestamp';
export type SignatureResult = { ok: true } | { ok: false; reason: SignatureFailure };

type Headers = Record<string, string | string[] | undefined>;

const header = (headers: Headers, name: string) => {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** Constant-time equality for strings of any length (compares digests). */
function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/** GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`. */
function verifyGithub(headers: Headers, body: Buffer, secrets: string[]): SignatureResult {
  const presented = header(headers, 'x-hub-signature-256');
  if (!presented) return { ok: false, reason: 'missing_signature' };
  const ok = secrets.some((s) => safeEqual(presented, `sha256=${createHmac('sha256', s).update(body).digest('hex')}`));
  return ok ? { ok: true } : { ok: false, reason: 'bad_signature' };
}

/** GitLab: `X-Gitlab-Token` equals the configured secret token. */
function verifyGitlab(headers: Headers, secrets: string[]): SignatureResult {
  const presented = header(headers, 'x-gitlab-token');
  if (!presented) return { ok: false, reason: 'missing_signature' };
  return secrets.some((s) => safeEqual(presented, s)) ? { ok: true } : { ok: false, reason: 'bad_signature' };
}

/**
 * Standard Webhooks: HMAC-SHA256 over `${webhook-id}.${webhook-timestamp}.${body}`
 * with the base64 key after `whsec_`; `webhook-signature` lists space-separated
 * `v1,<base64>` signatures (several during a secret rotation).
 */
function verifyStandard(headers: Headers, body: Buffer, secrets: string[], toleranceSeconds: number, nowMs: number): SignatureResult {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !timestamp || !signatures) return { ok: false, reason: 'missing_signature' };
  const seconds = Number(timestamp);
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(nowMs / 1000 - seconds) > toleranceSeconds) return { ok: false, reason: 'stale_timestamp' };
  const presented = signatures
    .split(' ')
    .map((s) => s.split(','))
    .filter(([version, sig]) => version === 'v1' && sig)
    .map(([, sig]) => sig);
  const signedContent = Buffer.concat([Buffer.from(`${id}.${timestamp}.`), body]);
  const ok = secrets.some((secret) => {
    const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
    const expected = createHmac('sha256', key).update(signedContent).digest('base64');
    return presented.some((sig) => safeEqual(sig, expected));
  });
  return ok ? { ok: true } : { ok: false, reason: 'bad_signature' };
}

export function verifySignature(
  scheme: SignatureScheme,
  input: { headers: Headers; body: Buffer; secrets: string[]; toleranceSeconds: number; nowMs?: number },
): SignatureResult {
  switch (scheme) {
    case 'github':
      return verifyGithub(input.headers, input.body, input.secrets);
    case 'gitlab':
      return verifyGitlab(input.headers, input.secrets);
    case 'standard-webhooks':
      return verifyStandard(input.headers, input.body, input.secrets, input.toleranceSeconds, input.nowMs ?? Date.now());
  }
}
