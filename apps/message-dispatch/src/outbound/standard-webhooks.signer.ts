import { createHmac, randomBytes } from 'node:crypto';

/** A new `whsec_` secret: 32 random bytes, within the spec's 24–64. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/**
 * Standard Webhooks v1 headers: HMAC-SHA256 over `id.timestamp.body`, one
 * signature per secret (space-separated) so receivers keep verifying while a
 * rotated-out secret is still in its grace period.
 */
export function signStandardWebhook(id: string, body: string, secrets: readonly string[], now = new Date()): Record<string, string> {
  const timestamp = Math.floor(now.getTime() / 1000).toString();
  const signatures = secrets.map((secret) => {
    const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
    return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
  });
  return { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signatures.join(' ') };
}
