import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { APP_CONFIG, BatchWriter, OutboundFailure, PipelineStages, postOutbound, redactUrl, retryAfterMs, type OutboundResponse } from '@zapgate/platform';
import { DataSource, type EntityManager } from 'typeorm';
import { OPERATIONS_TARGET, OperationsFeed } from '../channels/operations-feed';
import type { DispatchConfig } from '../dispatch-config.schema';
import { DispatchMetrics } from '../metrics/dispatch-metrics';
import { OutboundGuard } from './outbound-guard.provider';
import { mapPayload, type OutboundMessage } from './payload-mappers';
import { nextAttemptDelayMs } from './retry-policy';
import { signStandardWebhook } from './standard-webhooks.signer';
import { SubscriptionsService, type SubscriptionRow } from './subscriptions.service';
import { NO_SLOT, SubscriptionThrottle } from './subscription-throttle';
import { SubscriptionSecrets } from './subscription-secrets.service';
import { SubscriptionRates } from './subscription-rates';

/** $1 delivery id, $2 duration, $3 status, $4 error, $5 response body, $6 whether an attempt was made at all. */
const ATTEMPT_CTE = `WITH attempt AS (
  INSERT INTO "dispatch"."delivery_attempt" (delivery_id, attempt, started_at, duration_ms, status_code, error, response_body)
  SELECT $1, (SELECT count(*) + 1 FROM "dispatch"."delivery_attempt" WHERE delivery_id = $1), now() - make_interval(secs => $2::double precision / 1000), $2, $3, $4, $5
  WHERE $6::boolean)`;

/** The ATTEMPT_CTE parameters: the attempt is written in the same statement as the delivery's new state. */
type AttemptParams = [deliveryId: string, durationMs: number | null, status: number | null, error: string | null, body: string | null, made: boolean];

interface ClaimedDelivery {
  id: string;
  subscription_id: string;
  message_id: string;
  attempts: number;
  parts_sent: number;
  /** When it was due before this claim leased it, as PostgreSQL wrote it ('infinity' for a strict subscription's waiting head). */
  was_due: string;
}

interface MessageRow {
  id: string;
  content: Record<string, unknown>;
  sender_user_id: string | null;
  sender_bot: string | null;
  received_at: Date;
  target_kind: string;
  target_name: string;
}

/** A first-try or retry that succeeded: recorded with others that finished at the same moment. */
interface Success {
  id: string;
  durationMs: number;
  status: number;
  attempts: number;
  partsSent: number;
}

/** Every success in one statement: the attempt rows and the deliveries' final state. */
const SUCCESS_BATCH = `WITH v AS (
  SELECT * FROM unnest($1::uuid[], $2::int[], $3::int[], $4::int[], $5::int[]) AS v(id, duration_ms, status_code, attempts, parts_sent)),
attempt AS (
  INSERT INTO "dispatch"."delivery_attempt" (delivery_id, attempt, started_at, duration_ms, status_code)
  SELECT v.id, (SELECT count(*) + 1 FROM "dispatch"."delivery_attempt" a WHERE a.delivery_id = v.id), now() - make_interval(secs => v.duration_ms::double precision / 1000), v.duration_ms, v.status_code
  FROM v)
UPDATE "dispatch"."delivery" d SET status = 'succeeded', attempts = v.attempts, parts_sent = v.parts_sent, last_status_code = v.status_code, last_error = NULL,
  updated_at = now(), completed_at = now()
FROM v WHERE d.id = v.id`;

type AttemptResult =
  | { ok: true; status: number; durationMs: number; partsSent: number }
  | { ok: false; status?: number; error: string; durationMs: number; partsSent: number; retryAfterMs?: number; gone?: boolean; body?: string };

/**
 * Sends queued deliveries. Rows are claimed with FOR UPDATE SKIP LOCKED and
 * leased by pushing next_attempt_at past the request timeout, so replicas
 * never send the same attempt at once and a crashed replica's claims come due
 * again by themselves: at least once, never silently dropped.
 */
@Injectable()
export class DeliveryWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(DeliveryWorker.name);
  private readonly inFlight = new Set<Promise<void>>();
  private readonly throttle: SubscriptionThrottle;
  private timer?: NodeJS.Timeout;
  /** The claim in progress, if any: shutdown waits for it, since it may start deliveries. */
  private claiming?: Promise<void>;
  private again = false;
  /** The last claim filled every free slot: more is probably due, so claim again as slots free up. */
  private backlog = false;
  private scheduled?: NodeJS.Timeout;
  private stopped = false;
  private readonly successes = new BatchWriter<Success>((batch) => this.recordSuccesses(batch));

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly subscriptions: SubscriptionsService,
    private readonly secrets: SubscriptionSecrets,
    private readonly outbound: OutboundGuard,
    private readonly metrics: DispatchMetrics,
    private readonly operations: OperationsFeed,
    @Inject(APP_CONFIG) private readonly config: DispatchConfig,
    rates: SubscriptionRates,
  ) {
    this.throttle = new SubscriptionThrottle(rates.check);
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.claimNow(), this.config.DELIVERY_POLL_MS);
    this.claimNow();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.scheduled);
    await this.claiming;
    await Promise.allSettled([...this.inFlight]);
    await this.successes.drain();
  }

  /**
   * Look for due deliveries soon (a message was just stored, or a slot came free). Kicks within a
   * few milliseconds share one claim query instead of each running their own.
   */
  kick(): void {
    if (this.stopped || this.scheduled) return;
    this.scheduled = setTimeout(() => {
      this.scheduled = undefined;
      this.claimNow();
    }, 5);
  }

  private claimNow(): void {
    if (this.stopped) return;
    if (this.claiming) {
      this.again = true;
      return;
    }
    this.claiming = this.tick()
      .catch((err: unknown) => this.logger.warn({ err }, 'delivery claim failed; will try again'))
      .finally(() => {
        this.claiming = undefined;
        if (this.again) {
          this.again = false;
          this.claimNow();
        }
      });
  }

  private async tick(): Promise<void> {
    const room = this.config.DELIVERY_CONCURRENCY - this.inFlight.size;
    if (room <= 0) return;
    const leaseMs = this.leaseMs();
    // One round trip: claim (lease past the request timeout), and read each delivery's subscription and message.
    const claimed = (await this.dataSource.query(
      `WITH due AS (
         -- Not for subscriptions whose slots and wait are full here: their deliveries keep their place in the table.
         -- was_due as text: a JS Date would drop the microseconds that order one batch's deliveries.
         SELECT id, next_attempt_at::text AS was_due FROM "dispatch"."delivery" WHERE status = 'pending' AND next_attempt_at <= now()
           AND subscription_id <> ALL($3::uuid[])
         ORDER BY next_attempt_at, seq LIMIT $1 FOR UPDATE SKIP LOCKED),
       heads AS (
         -- Strict subscriptions: the oldest pending delivery, if it waits for its turn ('infinity'). A head
         -- that is leased or backing off has a finite time: it is not due here, and nothing behind it is.
         -- Once due again it comes through \`due\` above, so the two never pick the same row.
         SELECT d.id, d.next_attempt_at::text AS was_due FROM "dispatch"."delivery" d
         WHERE d.id IN (
           SELECT h.id FROM "dispatch"."subscription" s
           CROSS JOIN LATERAL (SELECT id, next_attempt_at FROM "dispatch"."delivery" WHERE subscription_id = s.id AND status = 'pending' ORDER BY seq LIMIT 1) h
           WHERE s.ordering = 'strict' AND s.status = 'active' AND h.next_attempt_at = 'infinity')
           -- Checked again on the row itself: a replica whose claim committed while this one waited for the
           -- lock has leased the head (a finite time). FOR UPDATE re-reads the row, but not the subquery above.
           AND d.status = 'pending' AND d.next_attempt_at = 'infinity'
         LIMIT greatest(0, $1 - (SELECT count(*) FROM due)) FOR UPDATE SKIP LOCKED),
       picked AS (SELECT id, was_due FROM due UNION ALL SELECT id, was_due FROM heads),
       claimed AS (
         UPDATE "dispatch"."delivery" d SET next_attempt_at = now() + make_interval(secs => $2::double precision / 1000), updated_at = now()
         FROM picked WHERE d.id = picked.id
         RETURNING d.id, d.subscription_id, d.message_id, d.attempts, d.parts_sent, d.seq)
       SELECT c.*, p.was_due, row_to_json(s.*) AS subscription, extract(epoch FROM clock_timestamp() - m.stored_at)::float8 AS waited_s, m.content, m.sender_user_id, m.sender_bot, m.received_at, t.kind AS target_kind, t.unique_name AS target_name
       FROM claimed c
       JOIN picked p ON p.id = c.id
       JOIN "dispatch"."subscription" s ON s.id = c.subscription_id
       JOIN "dispatch"."message" m ON m.id = c.message_id
       JOIN "dispatch"."channel" t ON t.id = m.channel_id
       -- RETURNING comes back in no particular order; deliveries start (and queue for slots) in this one.
       ORDER BY p.was_due::timestamptz, c.seq`,
      [room, leaseMs, this.throttle.saturated()],
    )) as (ClaimedDelivery & Omit<MessageRow, 'id'> & { subscription: SubscriptionRow; waited_s: number })[];
    // More than a subscription can take here goes back to its place now, before the next claim can
    // run: given back later, concurrently, a claim could take a newer delivery ahead of it.
    const taken = new Map<string, number>();
    const overflow = claimed.filter((row) => {
      const used = taken.get(row.subscription_id) ?? 0;
      if (used >= this.throttle.room(row.subscription)) return true;
      taken.set(row.subscription_id, used + 1);
      return false;
    });
    if (overflow.length) await this.giveBack(overflow);
    const skip = new Set(overflow);
    for (const row of claimed) {
      if (skip.has(row)) continue;
      // First attempts only: a retry's wait is its back-off, not the path's.
      if (row.attempts === 0) this.metrics.platform.observeStage(PipelineStages.DeliveryWait, row.waited_s);
      const message: MessageRow = {
        id: row.message_id,
        content: row.content,
        sender_user_id: row.sender_user_id,
        sender_bot: row.sender_bot,
        received_at: row.received_at,
        target_kind: row.target_kind,
        target_name: row.target_name,
      };
      const task = this.deliver(row, row.subscription, message)
        .catch((err: unknown) => this.logger.error({ err, deliveryId: row.id }, 'delivery bookkeeping failed; the lease will bring it back'))
        .finally(() => {
          this.inFlight.delete(task);
          // A strict subscription's next delivery can go only now that this one is done.
          if (this.backlog || row.subscription.ordering === 'strict') this.kick();
        });
      this.inFlight.add(task);
    }
    this.backlog = claimed.length === room && overflow.length === 0;
  }

  /** Long enough for a Mattermost message split in three, each part taking the whole timeout, and a wait for a slot. */
  private leaseMs(): number {
    return this.config.DELIVERY_TIMEOUT_MS * 3 + 10_000;
  }

  private async deliver(row: ClaimedDelivery, sub: SubscriptionRow | undefined, message: MessageRow | undefined): Promise<void> {
    if (!sub || !message) return this.finish(row, 'dead', { error: 'subscription or message no longer exists' });
    if (sub.status !== 'active') return this.finish(row, 'dead', { error: `subscription disabled: ${sub.disabled_reason ?? 'by its owner'}` });
    // Wait for a slot of this subscription here, within the lease, before giving the delivery back to
    // its place: a wait that gives up lets newer deliveries be claimed ahead of it, so it waits as long
    // as the lease allows — what is left once its own send (up to three parts) is accounted for.
    const wait = await this.throttle.slot(sub, this.leaseMs() - this.config.DELIVERY_TIMEOUT_MS * 3 - 2_000);
    if (wait === NO_SLOT) return this.giveBack([row]);
    if (wait > 0) return this.release(row, wait);
    let result: AttemptResult;
    const sent = this.metrics.platform.time(PipelineStages.DeliverySend);
    try {
      result = await this.attempt(row, sub, message);
    } finally {
      sent();
      this.throttle.release(sub.id);
    }
    await this.record(row, sub, message, result);
  }

  private async attempt(row: ClaimedDelivery, sub: SubscriptionRow, message: MessageRow): Promise<AttemptResult> {
    const outbound: OutboundMessage = {
      id: message.id,
      target: { kind: message.target_kind, name: message.target_name },
      sender: message.sender_bot ? { type: 'bot', name: message.sender_bot } : message.sender_user_id ? { type: 'user', id: message.sender_user_id } : null,
      time: message.received_at.toISOString(),
      content: message.content,
    };
    const parts = mapPayload(sub.kind, outbound);
    let partsSent = row.parts_sent;
    let durationMs = 0;
    let last: OutboundResponse | undefined;
    for (; partsSent < parts.length; partsSent++) {
      const body = parts[partsSent];
      const stop = this.metrics.attemptSeconds.startTimer({ kind: sub.kind });
      try {
        last = await postOutbound(this.outbound.guard, { ...this.request(sub, row, body, partsSent), timeoutMs: this.config.DELIVERY_TIMEOUT_MS });
      } catch (err) {
        stop();
        if (!(err instanceof OutboundFailure)) throw err;
        return { ok: false, error: `${err.code}: ${err.message}`, durationMs: durationMs + err.durationMs, partsSent };
      }
      stop();
      durationMs += last.durationMs;
      if (last.status < 200 || last.status >= 300) {
        return {
          ok: false,
          status: last.status,
          error: `answered ${last.status}`,
          durationMs,
          partsSent,
          gone: last.status === 410,
          body: last.body,
          retryAfterMs: last.status === 429 || last.status === 503 ? retryAfterMs(last.headers['retry-after']) : undefined,
        };
      }
    }
    return { ok: true, status: last?.status ?? 200, durationMs, partsSent };
  }

  private request(sub: SubscriptionRow, row: ClaimedDelivery, body: string, part: number) {
    // The subscription's own headers and auth first; the names Zapgate sets are refused for them, so nothing overrides these.
    const own = this.secrets.endpointHeaders(sub);
    switch (sub.kind) {
      case 'standard-webhooks':
        // webhook-id is the delivery: the same across retries, so receivers can deduplicate.
        return { url: new URL(sub.url), body, headers: { ...own, ...signStandardWebhook(row.id, body, this.secrets.signingSecrets(sub)) } };
      case 'cliq': {
        const url = new URL(`api/v2/channelsbyname/${encodeURIComponent(sub.cliq_channel ?? '')}/message`, sub.url.endsWith('/') ? sub.url : `${sub.url}/`);
        url.searchParams.set('zapikey', this.secrets.zapikey(sub) ?? '');
        return { url, body, headers: { ...own, 'idempotency-key': row.id } };
      }
      case 'slack':
      case 'mattermost':
        return { url: new URL(sub.url), body, headers: { ...own, 'idempotency-key': `${row.id}:${part}` } };
    }
  }

  private async record(row: ClaimedDelivery, sub: SubscriptionRow, message: MessageRow, result: AttemptResult): Promise<void> {
    const attempts = row.attempts + 1;
    const attempt: AttemptParams = [
      row.id,
      result.durationMs,
      result.status ?? null,
      result.ok ? null : result.error,
      result.ok ? null : (result.body ?? null),
      true,
    ];
    if (result.ok) {
      this.metrics.deliveries.inc({ kind: sub.kind, outcome: 'succeeded' });
      await this.successes.add({ id: row.id, durationMs: Math.round(result.durationMs), status: result.status, attempts, partsSent: result.partsSent });
      if (sub.failing_since) await this.dataSource.query(`UPDATE "dispatch"."subscription" SET failing_since = NULL WHERE id = $1`, [sub.id]);
      return;
    }
    if (result.gone) {
      this.metrics.deliveries.inc({ kind: sub.kind, outcome: 'gone' });
      await this.subscriptions.disable(sub.id, 'the endpoint answered 410 Gone');
      this.logger.warn({ subscriptionId: sub.id, url: redactUrl(sub.url) }, 'subscription disabled: endpoint answered 410');
      // Operators hear of it as subscription.disabled: the endpoint asked to stop, no attempt was used up.
      return this.finish(row, 'dead', { attempts, status: result.status, error: result.error, partsSent: result.partsSent }, attempt);
    }
    const [failing] = (await this.dataSource.query(
      `UPDATE "dispatch"."subscription" SET failing_since = coalesce(failing_since, now()) WHERE id = $1
       RETURNING extract(epoch FROM now() - failing_since) AS seconds`,
      [sub.id],
    )) as [{ seconds: number }[], number];
    const failingSeconds = Number(failing[0]?.seconds ?? 0);
    if (failingSeconds >= this.config.SUBSCRIPTION_DISABLE_AFTER_SECONDS) {
      await this.subscriptions.disable(sub.id, `failing without a success for ${Math.round(failingSeconds)} s`);
      this.logger.warn({ subscriptionId: sub.id, url: redactUrl(sub.url), failingSeconds }, 'subscription disabled: failing too long');
    }
    const delay = nextAttemptDelayMs(attempts, this.config.DELIVERY_RETRY_SCHEDULE, this.config.DELIVERY_JITTER, result.retryAfterMs);
    if (delay === undefined) {
      this.metrics.deliveries.inc({ kind: sub.kind, outcome: 'dead' });
      return this.exhausted(row, message, { attempts, status: result.status, error: result.error, partsSent: result.partsSent }, attempt);
    }
    this.metrics.deliveries.inc({ kind: sub.kind, outcome: 'retry' });
    await this.dataSource.query(
      `${ATTEMPT_CTE} UPDATE "dispatch"."delivery" SET attempts = $7, parts_sent = $8, last_status_code = $9, last_error = $10,
         next_attempt_at = now() + make_interval(secs => $11::double precision / 1000), updated_at = now() WHERE id = $1`,
      [...attempt, attempts, result.partsSent, result.status ?? null, result.error, delay],
    );
  }

  /**
   * A delivery that used up its attempts is dead, and operators hear of it (delivery.exhausted) in the
   * same transaction — except for the operators' own endpoints, whose failures must not feed themselves.
   */
  private async exhausted(
    row: ClaimedDelivery,
    message: MessageRow,
    f: { attempts: number; status?: number; error: string; partsSent: number },
    attempt: AttemptParams,
  ): Promise<void> {
    if (message.target_kind === OPERATIONS_TARGET.kind) return this.finish(row, 'dead', f, attempt);
    const queued = await this.dataSource.transaction(async (tx) => {
      await this.finish(row, 'dead', f, attempt, tx);
      const data = {
        delivery_id: row.id,
        subscription_id: row.subscription_id,
        message_id: row.message_id,
        target: { kind: message.target_kind, name: message.target_name },
        attempts: f.attempts,
        last_status_code: f.status ?? null,
        last_error: f.error,
      };
      return this.operations.emit('delivery.exhausted', data, `delivery.exhausted:${row.id}:${f.attempts}`, tx);
    });
    if (queued) this.kick();
  }

  private async finish(
    row: ClaimedDelivery,
    status: 'succeeded' | 'dead',
    f: { attempts?: number; status?: number; error?: string; partsSent?: number },
    attempt: AttemptParams = [row.id, null, null, null, null, false],
    tx: EntityManager = this.dataSource.manager,
  ): Promise<void> {
    await tx.query(
      `${ATTEMPT_CTE} UPDATE "dispatch"."delivery" SET status = $7, attempts = $8, parts_sent = $9, last_status_code = coalesce($10, last_status_code), last_error = $11,
         updated_at = now(), completed_at = now() WHERE id = $1`,
      [...attempt, status, f.attempts ?? row.attempts, f.partsSent ?? row.parts_sent, f.status ?? null, f.error ?? null],
    );
  }

  private async recordSuccesses(batch: Success[]): Promise<void> {
    const col = <K extends keyof Success>(k: K) => batch.map((b) => b[k]);
    await this.dataSource.query(SUCCESS_BATCH, [col('id'), col('durationMs'), col('status'), col('attempts'), col('partsSent')]);
  }

  /**
   * Not sent, no slot free: back to the place it had (its old due time), so later deliveries do not
   * overtake it; the subscription is saturated here, so it is not claimed again until a slot frees.
   */
  private async giveBack(rows: ClaimedDelivery[]): Promise<void> {
    await this.dataSource.query(
      `UPDATE "dispatch"."delivery" d SET next_attempt_at = v.was_due::timestamptz FROM unnest($1::uuid[], $2::text[]) AS v(id, was_due) WHERE d.id = v.id`,
      [rows.map((r) => r.id), rows.map((r) => r.was_due)],
    );
  }

  /** Not sent (the subscription's rate is used up): due again when it allows, no attempt counted. */
  private async release(row: ClaimedDelivery, waitMs: number): Promise<void> {
    await this.dataSource.query(`UPDATE "dispatch"."delivery" SET next_attempt_at = now() + make_interval(secs => $2::double precision / 1000) WHERE id = $1`, [
      row.id,
      waitMs,
    ]);
  }
}
