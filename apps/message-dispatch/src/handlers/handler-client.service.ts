import { Inject, Injectable } from '@nestjs/common';
import { ChatIdSchema, checkCliqMessage, UniqueNameSchema, type CliqMessage, type UserProfile, type WebhookReceivedV1 } from '@zapgate/contracts';
import { APP_CONFIG, checkJsonShape, OutboundFailure, postOutbound } from '@zapgate/platform';
import { z } from 'zod';
import type { DispatchConfig } from '../dispatch-config.schema';
import { OutboundGuard } from '../outbound/outbound-guard.provider';
import { signStandardWebhook } from '../outbound/standard-webhooks.signer';
import { HandlerSecrets } from './handler-secret.service';

/** Where a handler's answer goes: exactly one of these, else the event's own target. */
const PostToSchema = z
  .object({
    channel: UniqueNameSchema.optional(),
    chat: ChatIdSchema.optional(),
    bot: UniqueNameSchema.optional(),
    user: z.email().max(254).optional(),
  })
  .strict()
  .refine((p) => Object.values(p).filter(Boolean).length === 1, 'name exactly one of channel, chat, bot, user');
export type PostTo = z.infer<typeof PostToSchema>;

export type HandlerAnswer = { kind: 'none' } | { kind: 'message'; message: CliqMessage; postTo?: PostTo };

export interface HandlerResult {
  answer: HandlerAnswer;
  status: number;
  durationMs: number;
}

/** A handler call that did not give a usable answer; `retryable` when trying again could help. */
export class HandlerCallFailed extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
    readonly durationMs: number,
    readonly status?: number,
  ) {
    super(message);
  }
}

/**
 * Calls an extension's incoming-webhook handler the way Cliq does (headers,
 * parameters, body as a string, http_method, user), signed with the
 * application's Standard Webhooks secret, and reads the message it answers.
 */
@Injectable()
export class HandlerClient {
  constructor(
    private readonly secrets: HandlerSecrets,
    private readonly guard: OutboundGuard,
    @Inject(APP_CONFIG) private readonly config: DispatchConfig,
  ) {}

  async call(url: string, event: WebhookReceivedV1, app: { id: string; name: string }, user: UserProfile | null): Promise<HandlerResult> {
    const request = event.request;
    if (!request) throw new HandlerCallFailed('no_request', 'the event carries no request for a handler', false, 0);
    const payload = JSON.stringify({
      headers: request.headers,
      parameters: request.parameters,
      body: request.body,
      ...(request.bodyEncoding ? { body_encoding: request.bodyEncoding } : {}),
      http_method: request.method,
      user: user ? { id: user.id, email: user.email, first_name: user.first_name, last_name: user.last_name } : { id: event.userId },
      application: app,
      event_id: event.eventId,
      received_at: event.receivedAt,
    });
    const headers = signStandardWebhook(event.eventId, payload, await this.secrets.signingSecrets(app.id));
    let res;
    try {
      res = await postOutbound(this.guard.guard, { url: new URL(url), headers, body: payload, timeoutMs: this.config.HANDLER_TIMEOUT_MS });
    } catch (err) {
      if (err instanceof OutboundFailure) throw new HandlerCallFailed(`handler_${err.code}`, err.message, err.code !== 'refused_address', err.durationMs);
      throw err;
    }
    const failed = (code: string, message: string, retryable: boolean) => new HandlerCallFailed(code, message, retryable, res.durationMs, res.status);
    if (res.status >= 500 || res.status === 429 || res.status === 408) throw failed('handler_error', `handler answered ${res.status}`, true);
    if (res.status < 200 || res.status >= 300) throw failed('handler_error', `handler answered ${res.status}`, false);
    if (res.status === 204 || !res.body.trim()) return { answer: { kind: 'none' }, status: res.status, durationMs: res.durationMs };

    const shape = checkJsonShape(res.body);
    if (shape) throw failed('invalid_handler_answer', `handler answer refused: ${shape.message}`, false);
    let parsed: unknown;
    try {
      parsed = JSON.parse(res.body);
    } catch {
      throw failed('invalid_handler_answer', 'handler answer is not JSON', false);
    }
    const { post_to: postTo, ...message } = (parsed && typeof parsed === 'object' ? parsed : {}) as Record<string, unknown>;
    const target = postTo === undefined ? undefined : PostToSchema.safeParse(postTo);
    if (target && !target.success) throw failed('invalid_handler_answer', `post_to: ${target.error.issues[0]?.message ?? 'invalid'}`, false);
    const checked = checkCliqMessage(message);
    if (!checked.ok) {
      const first = checked.issues[0];
      throw failed('invalid_handler_answer', `handler answer is not a valid message (${first ? `${first.path}: ${first.message}` : 'invalid'})`, false);
    }
    return { answer: { kind: 'message', message: checked.message, postTo: target?.data }, status: res.status, durationMs: res.durationMs };
  }
}
