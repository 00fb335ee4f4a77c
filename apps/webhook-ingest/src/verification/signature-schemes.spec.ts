import { sign } from '@octokit/webhooks-methods';
import { Webhook } from 'standardwebhooks';
import { randomBytes } from 'node:crypto';
import { verifySignature } from './signature-schemes';

// Real example payloads from GitHub's own examples package.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const examples = require('@octokit/webhooks-examples') as { name: string; examples: unknown[] }[];
const pushExample = JSON.stringify(examples.find((e) => e.name === 'push')!.examples[0]);

describe('sender signatures, produced by the senders own libraries', () => {
  it('GitHub X-Hub-Signature-256 (@octokit/webhooks-methods)', async () => {
    const body = Buffer.from(pushExample);
    const signature = await sign({ secret: 'gh-secret', algorithm: 'sha256' }, pushExample);
    const check = (headers: Record<string, string>, secrets = ['gh-secret']) => verifySignature('github', { headers, body, secrets, toleranceSeconds: 300 });
    expect(check({ 'x-hub-signature-256': signature })).toEqual({ ok: true });
    expect(check({ 'x-hub-signature-256': signature }, ['old-secret', 'gh-secret'])).toEqual({ ok: true }); // rotation
    expect(check({ 'x-hub-signature-256': signature }, ['other'])).toEqual({ ok: false, reason: 'bad_signature' });
    expect(check({})).toEqual({ ok: false, reason: 'missing_signature' });
    const tampered = Buffer.from(pushExample.replace('"ref"', '"reff"'));
    expect(verifySignature('github', { headers: { 'x-hub-signature-256': signature }, body: tampered, secrets: ['gh-secret'], toleranceSeconds: 300 })).toEqual(
      {
        ok: false,
        reason: 'bad_signature',
      },
    );
  });

  it('GitLab X-Gitlab-Token', () => {
    const check = (token?: string) =>
      verifySignature('gitlab', { headers: token ? { 'x-gitlab-token': token } : {}, body: Buffer.alloc(0), secrets: ['gl-token'], toleranceSeconds: 300 });
    expect(check('gl-token')).toEqual({ ok: true });
    expect(check('gl-tokenx')).toEqual({ ok: false, reason: 'bad_signature' });
    expect(check()).toEqual({ ok: false, reason: 'missing_signature' });
  });

  it('Standard Webhooks (the standardwebhooks library), with tolerance and rotation', () => {
    const secret = `whsec_${randomBytes(24).toString('base64')}`;
    const rotatedTo = `whsec_${randomBytes(24).toString('base64')}`;
    const body = '{"type":"invoice.paid"}';
    const now = new Date();
    const headersFor = (s: string, at: Date) => {
      const signature = new Webhook(s).sign('msg_1', at, body);
      return { 'webhook-id': 'msg_1', 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signature };
    };
    const check = (headers: Record<string, string>, secrets: string[]) =>
      verifySignature('standard-webhooks', { headers, body: Buffer.from(body), secrets, toleranceSeconds: 300, nowMs: now.getTime() });

    expect(check(headersFor(secret, now), [secret])).toEqual({ ok: true });
    // During rotation the sender signs with both; either configured secret verifies.
    const both = headersFor(secret, now);
    both['webhook-signature'] = `${both['webhook-signature']} ${headersFor(rotatedTo, now)['webhook-signature']}`;
    expect(check(both, [rotatedTo])).toEqual({ ok: true });
    expect(check(headersFor(secret, now), [rotatedTo])).toEqual({ ok: false, reason: 'bad_signature' });
    // A replay of an old (or future) timestamp is refused even with a valid signature.
    expect(check(headersFor(secret, new Date(now.getTime() - 301_000)), [secret])).toEqual({ ok: false, reason: 'stale_timestamp' });
    expect(check(headersFor(secret, new Date(now.getTime() + 301_000)), [secret])).toEqual({ ok: false, reason: 'stale_timestamp' });
    expect(check({ 'webhook-id': 'x' }, [secret])).toEqual({ ok: false, reason: 'missing_signature' });
    // The library itself accepts what we accept.
    expect(() => new Webhook(secret).verify(body, headersFor(secret, new Date()))).not.toThrow();
  });
});
