import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { Consumers, Streams, Subjects, type CliqMessage, type PayloadOf, type WebhookReceivedV1 } from '@zapgate/contracts';
import {
  APP_CONFIG,
  DeadLetterRepository,
  EventConsumerService,
  isRejectedValue,
  Outcome,
  PipelineStages,
  retryDelayMs,
  toStorable,
  type EventContext,
  type EventHandler,
  type HandleOutcome,
} from '@zapgate/platform';
import { MessagePoster } from '../channels/message-poster.service';
import type { PostInput, PostResult } from '../channels/post-types';
import { LiveFeed } from '../channels/live-feed.service';
import { API_FACETS, facetsOf, type MessageFacets } from '../channels/message-facets';
import { targetRef, type TargetRef } from '../channels/target';
import type { DispatchConfig } from '../dispatch-config.schema';
import { formatIncoming } from '../formatters/incoming.formatter';
import { Directory } from '../handlers/directory.service';
import { HandlerCallFailed, HandlerClient, type PostTo } from '../handlers/handler-client.service';
import { DispatchMetrics } from '../metrics/dispatch-metrics';
import { DeliveryWorker } from '../outbound/delivery-worker.service';
import { defaultTarget, fromPostTo, partitionKey } from './event-targets';
import { OrderedBatcher, type Slot } from './ordered-batcher';
import { OutcomePublisher, type OutcomeReport } from './outcome.publisher';

type Report = Omit<OutcomeReport, 'eventId' | 'attempts'>;

/** Either a message to store (then reported as stored or rejected) or a verdict reached without storing. */
type Plan =
  | {
      post: { target: TargetRef; content: CliqMessage; asBot?: string; facets: MessageFacets };
      handler?: Report['handler'];
      report?: undefined;
      outcome?: undefined;
    }
  | { post?: undefined; report: Report; outcome?: HandleOutcome };

/**
 * Turns each received event into a stored message: message posts directly;
 * incoming webhooks through the application's handler, or a built-in
 * formatter when it has none. Every event ends with one outcome reported to
 * ingest; a redelivered event stores nothing twice.
 */
@Injectable()
export class WebhookReceivedHandler implements EventHandler<typeof Subjects.WebhookReceived>, OnApplicationBootstrap {
  readonly subject = Subjects.WebhookReceived;
  private readonly logger = new Logger(WebhookReceivedHandler.name);
  /** One target's messages are stored in stream order, as many ready ones as there are per transaction. */
  private readonly batches = new OrderedBatcher<PostInput, PostResult>((_key, posts) => this.storeBatch(posts));

  constructor(
    private readonly poster: MessagePoster,
    private readonly consumers: EventConsumerService,
    private readonly directory: Directory,
    private readonly handlers: HandlerClient,
    private readonly outcomes: OutcomePublisher,
    private readonly live: LiveFeed,
    private readonly deliveries: DeliveryWorker,
    private readonly deadLetters: DeadLetterRepository,
    private readonly metrics: DispatchMetrics,
    @Inject(APP_CONFIG) private readonly config: DispatchConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.consumers.start(this, {
      stream: Streams.Webhooks,
      durable: Consumers.DispatchWebhooks,
      concurrency: this.config.DISPATCH_CONCURRENCY,
      ackWaitMs: this.config.DISPATCH_ACK_WAIT_MS,
      maxDeliver: this.config.DISPATCH_MAX_DELIVER,
      deadLetter: (letter) => this.deadLetters.record(letter),
    });
  }

  async handle(event: PayloadOf<typeof Subjects.WebhookReceived>, ctx: EventContext): Promise<HandleOutcome> {
    // Waiting behind earlier events of the same target, or on a slow handler, is work: keep the ack deadline moving.
    const heartbeat = setInterval(() => ctx.working(), Math.max(500, this.config.DISPATCH_ACK_WAIT_MS / 3));
    // The slot is taken now, in stream order; handler calls run before it, side by side, and only the store waits for it.
    const slot = this.batches.reserve(partitionKey(event));
    try {
      let plan: Plan;
      let report: Report;
      try {
        plan = await this.plan(event, ctx);
        report = plan.post ? { ...(await this.post(event, plan.post, ctx, slot)), handler: plan.handler } : plan.report;
      } catch (err) {
        // The store refused a value: no retry can change that. Dead-lettered at once, and the event says so.
        if (!isRejectedValue(err)) throw err;
        const reason = `the store refused a value: ${(err as Error).message}`;
        plan = {
          report: { outcome: 'dead_lettered', messageIds: [], error: { code: 'rejected_value', message: reason } },
          outcome: Outcome.poison(reason, 'rejected_value'),
        };
        report = plan.report;
      } finally {
        // Nothing to store (or it failed before storing): the events behind this one must not wait for it.
        slot.skip();
      }
      const reported = this.metrics.platform.time(PipelineStages.OutcomePublish);
      await this.outcomes.report({ eventId: event.eventId, attempts: ctx.deliveryCount, ...report }, ctx.correlationId);
      reported();
      return plan.outcome ?? Outcome.ack();
    } finally {
      clearInterval(heartbeat);
    }
  }

  /** What to do with an event: a message to post where, or a verdict to report. Writes nothing. */
  private async plan(event: WebhookReceivedV1, ctx: EventContext): Promise<Plan> {
    if (event.message) {
      if (event.target.kind === 'application') {
        return { report: { outcome: 'rejected', messageIds: [], error: { code: 'invalid_target', message: 'A message cannot be posted to an application.' } } };
      }
      return { post: { target: targetRef(event.target), content: event.message as CliqMessage, asBot: event.asBot, facets: API_FACETS } };
    }
    if (!event.request) return { report: { outcome: 'dead_lettered', messageIds: [] }, outcome: Outcome.poison('event has neither a message nor a request') };

    let message: CliqMessage | undefined;
    let postTo: PostTo | undefined;
    let handler: Report['handler'];
    const app = event.appId ? await this.directory.application(event.appId) : undefined;
    const url = app?.found ? app.application.handlerUrls.incoming : undefined;
    if (app?.found && url) {
      try {
        const user = await this.directory.user(event.userId);
        const called = this.metrics.platform.time(PipelineStages.HandlerCall);
        const result = await this.handlers.call(url, event, app.application, user.found ? user.user : null).finally(called);
        handler = { status: result.status, durationMs: result.durationMs };
        this.metrics.handlerCalls.inc({ outcome: result.answer.kind });
        if (result.answer.kind === 'none') return { report: { outcome: 'no_message', messageIds: [], handler } };
        ({ message, postTo } = result.answer);
      } catch (err) {
        if (!(err instanceof HandlerCallFailed)) throw err;
        this.metrics.handlerCalls.inc({ outcome: err.retryable ? 'retry' : 'failed' });
        const willRetry = err.retryable && ctx.deliveryCount < this.config.HANDLER_MAX_ATTEMPTS;
        return {
          report: {
            outcome: 'handler_failed',
            messageIds: [],
            error: { code: err.code, message: `${err.message}${willRetry ? '; will retry' : ''}` },
            handler: { ...(err.status ? { status: err.status } : {}), durationMs: err.durationMs },
          },
          outcome: willRetry ? Outcome.retry(retryDelayMs(ctx.deliveryCount), err.code) : undefined,
        };
      }
    }
    const target = postTo ? fromPostTo(postTo) : defaultTarget(event);
    if (!target) {
      const error = { code: 'no_target', message: 'Name a target: ?channel=, ?chat= or ?bot= on the webhook URL, or post_to in the handler answer.' };
      return { report: { outcome: 'rejected', messageIds: [], error, handler } };
    }
    const asBot = event.target.kind === 'bot' ? event.target.name : undefined;
    const facets = facetsOf(event, message ? 'handler' : 'formatter');
    return { post: { target, content: message ?? formatIncoming(event.request), asBot, facets }, handler };
  }

  private async storeBatch(posts: PostInput[]): Promise<PostResult[]> {
    const stored = this.metrics.platform.time(PipelineStages.Store);
    this.metrics.storeBatchSize.observe(posts.length);
    try {
      return await this.poster.postBatch(posts);
    } finally {
      stored();
    }
  }

  private async post(event: WebhookReceivedV1, post: NonNullable<Plan['post']>, ctx: EventContext, slot: Slot<PostInput, PostResult>): Promise<Report> {
    const result: PostResult = await slot.submit({
      eventId: event.eventId,
      target: post.target,
      senderUserId: event.userId,
      asBot: post.asBot,
      // Content derived from a sender's body or a handler's answer may hold NUL or lone surrogates: stored as U+FFFD.
      content: toStorable(post.content as Record<string, unknown>),
      streamSeq: ctx.streamSequence,
      receivedAt: new Date(event.receivedAt),
      facets: post.facets,
      ...(event.replayOf ? { replayOf: event.replayOf } : {}),
    });
    this.metrics.messages.inc({ source: event.source, result: result.result });
    switch (result.result) {
      case 'stored':
        this.live.announce(result.messageId, result.targetId, result.storeSeq);
        if (result.deliveries) this.deliveries.kick();
        return { outcome: 'stored', messageIds: [result.messageId] };
      case 'repeat':
        return { outcome: 'stored', messageIds: [result.messageId] };
      case 'rejected':
        this.logger.warn({ eventId: event.eventId, code: result.code }, 'message rejected');
        return { outcome: 'rejected', messageIds: [], error: { code: result.code, message: result.message } };
    }
  }
}
