import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CommonException, redactUrl } from '@zapgate/platform';
import { DataSource } from 'typeorm';
import { ChannelStore } from '../channels/channel-store.service';
import { OperationsFeed } from '../channels/operations-feed';
import type { TargetRef } from '../channels/target';
import { DispatchErrorCodes, DispatchException } from '../dispatch.exception';
import type { RetiredSecret } from '../handlers/secret-ring';
import { OutboundGuard } from './outbound-guard.provider';
import type { SubscriptionKind } from './payload-mappers';
import { newWebhookSecret } from './standard-webhooks.signer';
import type { CustomHeaders, EndpointAuth, EndpointColumns } from './endpoint-credentials';
import { SubscriptionSecrets } from './subscription-secrets.service';
import { filterColumns, type FilterColumns, type SubscriptionFilter } from './subscription-filter';

export interface SubscriptionRow extends FilterColumns, EndpointColumns {
  id: string;
  /** The first target: its members manage the subscription. */
  target_id: string;
  /** Every target it takes (the API's reads; the worker's claim does not load them). */
  target_ids?: string[];
  /** Null for an operators' endpoint (operational webhooks). */
  owner_user_id: string | null;
  kind: SubscriptionKind;
  url: string;
  description: string | null;
  secret_sealed: string | null;
  previous_secrets: RetiredSecret[];
  cliq_channel: string | null;
  zapikey_sealed: string | null;
  rate_limit_per_second: number | null;
  max_concurrency: number;
  /** strict: one delivery at a time, in stored order, each waiting for the one before to succeed or die. */
  ordering: SubscriptionOrdering;
  status: 'active' | 'disabled';
  disabled_reason: string | null;
  disabled_at: Date | null;
  failing_since: Date | null;
  created_at: Date;
}

export interface SubscriptionInput {
  /** Every target whose messages it takes; the first decides who manages it. */
  targets: TargetRef[];
  kind: SubscriptionKind;
  url: string;
  description?: string;
  cliq?: { channel?: string; zapikey: string };
  rateLimitPerSecond?: number | null;
  maxConcurrency?: number;
  ordering?: SubscriptionOrdering;
  filter?: SubscriptionFilter | null;
  headers?: CustomHeaders;
  auth?: EndpointAuth;
}

export type SubscriptionOrdering = 'best_effort' | 'strict';

/** A subscription row with every target it takes, in order (`s` is the subscription). */
const WITH_TARGETS = `s.*, ARRAY(SELECT st.target_id FROM "dispatch"."subscription_target" st WHERE st.subscription_id = s.id ORDER BY st.position) AS target_ids`;

/** A subscription's URL as the API and operational events show it: a Slack or Mattermost webhook URL is itself the secret, so only its origin. */
export function shownUrl(kind: SubscriptionKind, url: string): string {
  return kind === 'slack' || kind === 'mattermost' ? `${new URL(url).origin}/…` : redactUrl(url);
}

/** Outbound subscriptions and their targets, filters and limits; what they keep sealed is SubscriptionSecrets' business. */
@Injectable()
export class SubscriptionsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly store: ChannelStore,
    private readonly outbound: OutboundGuard,
    private readonly operations: OperationsFeed,
    private readonly secrets: SubscriptionSecrets,
  ) {}

  /** The subscriber must be a member of every target it names. */
  async create(input: SubscriptionInput, userId: string): Promise<{ subscription: SubscriptionRow; secret?: string }> {
    const targets: { id: string; uniqueName: string }[] = [];
    for (const ref of input.targets) {
      const target = await this.store.findTarget(ref.kind, ref.name);
      if (!target || !(await this.store.isMember(target.id, 'user', userId))) throw DispatchException.targetNotFound();
      if (!targets.some((t) => t.id === target.id)) targets.push(target);
    }
    return this.insert(targets, userId, input);
  }

  /** An operators' endpoint: a standard-webhooks subscription of the operations target, owned by no user. */
  async createOperational(input: Omit<SubscriptionInput, 'targets' | 'kind' | 'cliq'>): Promise<{ subscription: SubscriptionRow; secret?: string }> {
    return this.insert([await this.operations.target()], null, { ...input, kind: 'standard-webhooks' });
  }

  private async insert(
    targets: { id: string; uniqueName: string }[],
    ownerUserId: string | null,
    input: Omit<SubscriptionInput, 'targets'>,
  ): Promise<{ subscription: SubscriptionRow; secret?: string }> {
    const target = targets[0];
    await this.checkUrl(input.url);
    if (input.kind === 'cliq' && !input.cliq)
      throw CommonException.invalid([{ path: 'cliq.zapikey', message: 'a cliq subscription needs the ZAPI key to post with' }]);
    const [{ id }] = (await this.dataSource.query(`SELECT gen_random_uuid() AS id`)) as { id: string }[];
    const secret = input.kind === 'standard-webhooks' ? newWebhookSecret() : undefined;
    await this.dataSource.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO "dispatch"."subscription" (id, target_id, owner_user_id, kind, url, description, secret_sealed, cliq_channel, zapikey_sealed, rate_limit_per_second, max_concurrency, ordering,
         filter_sources, filter_event_types, filter_payload, endpoint_sealed, header_names, auth_type)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
        [
          id,
          target.id,
          ownerUserId,
          input.kind,
          input.url,
          input.description ?? null,
          secret ? this.secrets.seal(secret, id) : null,
          input.kind === 'cliq' ? (input.cliq?.channel ?? target.uniqueName) : null,
          input.kind === 'cliq' && input.cliq ? this.secrets.seal(input.cliq.zapikey, id) : null,
          input.rateLimitPerSecond ?? null,
          input.maxConcurrency ?? 4,
          input.ordering ?? 'best_effort',
          ...filterParams(input.filter),
          ...endpointParams(this.secrets.endpointColumns(id, undefined, { headers: input.headers, auth: input.auth })),
        ],
      );
      await tx.query(
        `INSERT INTO "dispatch"."subscription_target" (subscription_id, target_id, position) SELECT $1, t, p - 1 FROM unnest($2::uuid[]) WITH ORDINALITY AS u(t, p)`,
        [id, targets.map((t) => t.id)],
      );
    });
    return { subscription: await this.row(id), secret };
  }

  async checkUrl(url: string): Promise<void> {
    try {
      await this.outbound.guard.check(new URL(url));
    } catch (err) {
      throw new DispatchException(DispatchErrorCodes.OutboundUrlRefused, `The URL cannot be used: ${(err as Error).message}.`);
    }
  }

  async row(id: string): Promise<SubscriptionRow> {
    const [row] = (await this.dataSource.query(`SELECT ${WITH_TARGETS} FROM "dispatch"."subscription" s WHERE id = $1`, [id])) as SubscriptionRow[];
    if (!row) throw new DispatchException(DispatchErrorCodes.SubscriptionNotFound, 'No such subscription.');
    return row;
  }

  /** The subscription if the user is a member of its target; the same 404 otherwise. */
  async forMember(id: string, userId: string): Promise<SubscriptionRow> {
    const row = /^[0-9a-f-]{36}$/i.test(id) ? await this.row(id).catch(() => undefined) : undefined;
    if (!row || !(await this.store.isMember(row.target_id, 'user', userId))) {
      throw new DispatchException(DispatchErrorCodes.SubscriptionNotFound, 'No such subscription.');
    }
    return row;
  }

  /** Every subscription of one target, newest first (the operators' endpoints of the operations target). */
  async listForTarget(targetId: string): Promise<SubscriptionRow[]> {
    return this.dataSource.query(`SELECT ${WITH_TARGETS} FROM "dispatch"."subscription" s WHERE target_id = $1 ORDER BY created_at DESC LIMIT 500`, [targetId]);
  }

  async listForUser(userId: string, targetId?: string): Promise<SubscriptionRow[]> {
    return this.dataSource.query(
      `SELECT ${WITH_TARGETS} FROM "dispatch"."subscription" s
       JOIN "dispatch"."member" m ON m.target_id = s.target_id AND m.member_kind = 'user' AND m.member_id = $1
       WHERE ($2::uuid IS NULL OR s.target_id = $2) ORDER BY s.created_at DESC LIMIT 500`,
      [userId, targetId ?? null],
    );
  }

  async update(
    id: string,
    patch: {
      url?: string;
      description?: string | null;
      rateLimitPerSecond?: number | null;
      maxConcurrency?: number;
      zapikey?: string;
      ordering?: SubscriptionOrdering;
      filter?: SubscriptionFilter | null;
      headers?: CustomHeaders | null;
      auth?: EndpointAuth | null;
    },
  ) {
    if (patch.url) await this.checkUrl(patch.url);
    const endpoint = patch.headers !== undefined || patch.auth !== undefined ? this.secrets.endpointColumns(id, await this.row(id), patch) : undefined;
    if (patch.ordering) await this.setOrdering(id, patch.ordering);
    await this.dataSource.query(
      `UPDATE "dispatch"."subscription" SET
         url = coalesce($2, url),
         description = CASE WHEN $3::boolean THEN $4 ELSE description END,
         rate_limit_per_second = CASE WHEN $5::boolean THEN $6::int ELSE rate_limit_per_second END,
         max_concurrency = coalesce($7, max_concurrency),
         zapikey_sealed = CASE WHEN kind = 'cliq' AND $8::text IS NOT NULL THEN $8 ELSE zapikey_sealed END,
         filter_sources = CASE WHEN $9::boolean THEN $10::text[] ELSE filter_sources END,
         filter_event_types = CASE WHEN $9::boolean THEN $11::text[] ELSE filter_event_types END,
         filter_payload = CASE WHEN $9::boolean THEN $12::jsonb ELSE filter_payload END,
         endpoint_sealed = CASE WHEN $13::boolean THEN $14 ELSE endpoint_sealed END,
         header_names = CASE WHEN $13::boolean THEN $15::text[] ELSE header_names END,
         auth_type = CASE WHEN $13::boolean THEN $16 ELSE auth_type END
       WHERE id = $1`,
      [
        id,
        patch.url ?? null,
        patch.description !== undefined,
        patch.description ?? null,
        patch.rateLimitPerSecond !== undefined,
        patch.rateLimitPerSecond ?? null,
        patch.maxConcurrency ?? null,
        patch.zapikey ? this.secrets.seal(patch.zapikey, id) : null,
        // A filter given replaces the whole filter (null clears it): messages stored from now on are matched by it.
        patch.filter !== undefined,
        ...filterParams(patch.filter),
        endpoint !== undefined,
        ...endpointParams(endpoint),
      ],
    );
    return this.row(id);
  }

  /**
   * Switching to strict parks every pending delivery ('infinity') so only the head goes, in stored
   * order; switching back makes them all due now. One transaction, with the row locked, so a
   * concurrent store sees the mode before or after, never half.
   */
  private async setOrdering(id: string, ordering: SubscriptionOrdering): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      const [[changed]] = (await tx.query(`UPDATE "dispatch"."subscription" SET ordering = $2 WHERE id = $1 AND ordering <> $2 RETURNING id`, [
        id,
        ordering,
      ])) as [{ id: string }[], number];
      if (!changed) return;
      await tx.query(
        ordering === 'strict'
          ? `UPDATE "dispatch"."delivery" SET next_attempt_at = 'infinity' WHERE subscription_id = $1 AND status = 'pending' AND next_attempt_at <= now()`
          : `UPDATE "dispatch"."delivery" SET next_attempt_at = now() WHERE subscription_id = $1 AND status = 'pending' AND next_attempt_at = 'infinity'`,
        [id],
      );
    });
  }

  async remove(id: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM "dispatch"."subscription" WHERE id = $1`, [id]);
  }

  async enable(id: string): Promise<SubscriptionRow> {
    await this.dataSource.query(
      `UPDATE "dispatch"."subscription" SET status = 'active', disabled_reason = NULL, disabled_at = NULL, failing_since = NULL WHERE id = $1`,
      [id],
    );
    return this.row(id);
  }

  /** Disables an active subscription; operators hear of it (subscription.disabled) in the same transaction, unless it is one of theirs. */
  async disable(id: string, reason: string): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      const [[row]] = (await tx.query(
        `UPDATE "dispatch"."subscription" s SET status = 'disabled', disabled_reason = $2, disabled_at = now()
         WHERE id = $1 AND status = 'active'
         RETURNING s.id, s.target_id, s.url, s.kind, s.disabled_at, s.owner_user_id IS NULL AS operational`,
        [id, reason],
      )) as [{ id: string; target_id: string; url: string; kind: SubscriptionKind; disabled_at: Date; operational: boolean }[], number];
      // An operator's own endpoint failing must not feed the operators' endpoints.
      if (!row || row.operational) return;
      const data = { subscription_id: row.id, target_id: row.target_id, url: shownUrl(row.kind, row.url), reason, disabled_at: row.disabled_at.toISOString() };
      await this.operations.emit('subscription.disabled', data, `subscription.disabled:${row.id}:${row.disabled_at.getTime()}`, tx);
    });
  }
}

function filterParams(filter: SubscriptionFilter | null | undefined): [string[] | null, string[] | null, string | null] {
  const c = filterColumns(filter);
  return [c.filter_sources, c.filter_event_types, c.filter_payload ? JSON.stringify(c.filter_payload) : null];
}

function endpointParams(c: EndpointColumns | undefined): [string | null, string[], string | null] {
  return [c?.endpoint_sealed ?? null, c?.header_names ?? [], c?.auth_type ?? null];
}
