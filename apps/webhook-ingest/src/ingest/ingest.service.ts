import { Inject, Injectable } from '@nestjs/common';
import { checkCliqMessage, Subjects, type MessageTarget, type WebhookReceivedV1, type WebhookSource } from '@zapgate/contracts';
import { APP_CONFIG, JetStreamService, PipelineStages, type JsonLimits } from '@zapgate/platform';
import type { VerifiedToken } from '@zapgate/token-client';
import type { FastifyRequest } from 'fastify';
import { readMessageBody } from '../http/body-reader';
import { captureRequest } from '../http/captured-request';
import type { IngestConfig } from '../ingest-config.schema';
import { SenderVerificationStore, type SubjectKind } from '../verification/sender-verification.store';
import { verifySignature } from '../verification/signature-schemes';
import { DedupService } from './dedup.service';
import { IngestMetrics } from './ingest-metrics';
import { IngestErrorCodes, IngestException } from './ingest.exception';

export interface IngestRequest {
  source: WebhookSource;
  target: MessageTarget;
  principal: VerifiedToken;
  req: FastifyRequest;
  /** `message`: the body is a Cliq message to post; `incoming`: the raw request goes to a handler. */
  kind: 'message' | 'incoming';
  appId?: string;
  /** `bot_unique_name`: the message is posted as this bot. */
  asBot?: string;
  /** Whose signature settings apply (an application or a bot). */
  signedBy?: { kind: SubjectKind; id: string };
  /** Idempotency keys are unique within this scope (an application, a bot, a user). */
  dedupScope: string;
}

export interface IngestResult {
  eventId: string;
  duplicate: boolean;
  /** The message asked for sync_message (answer with its id). */
  syncRequested: boolean;
}

/**
 * One accepted request = one durable event. Order: parse and validate,
 * check the sender's signature, resolve idempotency, then publish to
 * JetStream and wait for the PubAck — the only durable write on the path.
 */
@Injectable()
export class IngestService {
  constructor(
    private readonly jetstream: JetStreamService,
    private readonly dedup: DedupService,
    private readonly verification: SenderVerificationStore,
    private readonly metrics: IngestMetrics,
    @Inject(APP_CONFIG) private readonly config: IngestConfig,
  ) {
    this.jsonLimits = { maxDepth: config.JSON_MAX_DEPTH, maxMembers: config.JSON_MAX_MEMBERS };
  }

  private readonly jsonLimits: JsonLimits;

  async ingest(input: IngestRequest): Promise<IngestResult> {
    const { req, source } = input;
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    try {
      let message: WebhookReceivedV1['message'];
      let request: WebhookReceivedV1['request'];
      if (input.kind === 'message') {
        const checked = checkCliqMessage(readMessageBody(raw, req.headers['content-type'], this.jsonLimits));
        if (!checked.ok) throw IngestException.invalidMessage(checked.issues);
        message = checked.message;
      } else {
        request = captureRequest(req);
      }
      const sender = input.signedBy ? await this.checkSignature(input.signedBy, req, raw) : undefined;
      const syncRequested = message?.sync_message === true;

      const dedupTimer = this.metrics.platform.time(PipelineStages.IngestDedup);
      const identity = await this.dedup.identify(input.dedupScope, DedupService.keyFrom(req.headers));
      dedupTimer();
      if (identity.duplicate) {
        this.metrics.dedupHits.inc({ where: 'window' });
        this.metrics.ingested.inc({ source, outcome: 'duplicate' });
        return { eventId: identity.eventId, duplicate: true, syncRequested };
      }
      const published = this.metrics.platform.time(PipelineStages.IngestPublish);
      const event: WebhookReceivedV1 = {
        eventId: identity.eventId,
        receivedAt: new Date().toISOString(),
        source,
        userId: input.principal.userId,
        tokenId: input.principal.tokenId,
        target: input.target,
        ...(input.appId && { appId: input.appId }),
        ...(message && { message }),
        ...(input.asBot && { asBot: input.asBot }),
        ...(request && { request }),
        ...(sender && { sender }),
        ...(identity.dedupKey && { dedupKey: identity.dedupKey }),
      };
      const ack = await this.jetstream.publish(Subjects.WebhookReceived, event, {
        msgID: identity.eventId,
        correlationId: req.id,
        // Its message passed checkCliqMessage, its target and ids come from validated parameters and the verified token.
        built: true,
      });
      this.metrics.storeSeconds.observe({ source }, published());
      if (ack.duplicate) this.metrics.dedupHits.inc({ where: 'jetstream' });
      this.metrics.bodyBytes.observe({ source }, raw.length);
      this.metrics.ingested.inc({ source, outcome: ack.duplicate ? 'duplicate' : 'accepted' });
      return { eventId: identity.eventId, duplicate: ack.duplicate, syncRequested };
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      const reason = typeof code === 'string' ? code : 'error';
      this.metrics.rejected.inc({ reason });
      this.metrics.ingested.inc({ source, outcome: 'rejected' });
      throw err;
    }
  }

  private async checkSignature(subject: { kind: SubjectKind; id: string }, req: FastifyRequest, raw: Buffer) {
    const setting = await this.verification.get(subject.kind, subject.id);
    if (!setting) return undefined;
    const result = verifySignature(setting.scheme, {
      headers: req.headers,
      body: raw,
      secrets: setting.secrets,
      toleranceSeconds: this.config.SIGNATURE_TOLERANCE_SECONDS,
    });
    if (!result.ok) {
      this.metrics.signatureFailures.inc({ scheme: setting.scheme, reason: result.reason });
      const why = { missing_signature: 'is missing', bad_signature: 'does not match', stale_timestamp: 'has a timestamp outside the tolerance' }[result.reason];
      throw new IngestException(IngestErrorCodes.InvalidSignature, `The ${setting.scheme} signature ${why}.`);
    }
    const eventHeader = req.headers['x-github-event'] ?? req.headers['x-gitlab-event'];
    return { scheme: setting.scheme, ...(typeof eventHeader === 'string' ? { event: eventHeader } : {}) };
  }
}
