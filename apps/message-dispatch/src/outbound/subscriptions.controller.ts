import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Scopes } from '@zapgate/contracts';
import { parseOrThrow, ZodApiBody, Audited } from '@zapgate/platform';
import { Principal, RequireScope, TokenAuthGuard, type VerifiedToken } from '@zapgate/token-client';
import { z } from 'zod';
import { COLLECTIONS } from '../channels/target';
import { RotateSecretSchema } from '../handlers/secret-ring';
import { DeliveriesService } from './deliveries.service';
import { DeliveryWorker } from './delivery-worker.service';
import { CreateSchema, deliveryView, ListDeliveriesQuery, PatchSchema, RetrySinceSchema, subscriptionView as view } from './subscription.views';
import { SubscriptionsService } from './subscriptions.service';
import { SubscriptionSecrets } from './subscription-secrets.service';

/** Outbound subscriptions of targets you are a member of, and their deliveries. */
@ApiTags('subscriptions')
@Controller('api/v1')
@UseGuards(TokenAuthGuard)
@RequireScope(Scopes.SubscriptionsAll)
export class SubscriptionsController {
  constructor(
    private readonly subscriptions: SubscriptionsService,
    private readonly secrets: SubscriptionSecrets,
    private readonly deliveries: DeliveriesService,
    private readonly worker: DeliveryWorker,
  ) {}

  @Post('subscriptions')
  @ZodApiBody(CreateSchema)
  @ApiOperation({ summary: 'Forward every new message of a target (or of several: targets) to a URL (standard-webhooks, slack, mattermost or cliq)' })
  @Audited('subscription.created', { target: 'subscription', id: 'response' })
  async create(@Body() body: unknown, @Principal() p: VerifiedToken) {
    const input = parseOrThrow(CreateSchema, body);
    const { subscription, secret } = await this.subscriptions.create(
      {
        targets: (input.targets ?? [input.target!]).map((t) => ({ kind: COLLECTIONS[t.kind], name: t.name })),
        kind: input.kind,
        url: input.url,
        description: input.description,
        cliq: input.cliq,
        rateLimitPerSecond: input.rate_limit_per_second,
        maxConcurrency: input.max_concurrency,
        ordering: input.ordering,
        filter: input.filter,
        headers: input.headers ?? undefined,
        auth: input.auth ?? undefined,
      },
      p.userId,
    );
    return { ...view(subscription), ...(secret ? { secret } : {}) };
  }

  @Get('subscriptions')
  async list(@Query() query: Record<string, unknown>, @Principal() p: VerifiedToken) {
    const { target_id } = parseOrThrow(z.looseObject({ target_id: z.uuid().optional() }), query);
    return { data: (await this.subscriptions.listForUser(p.userId, target_id)).map(view) };
  }

  @Get('subscriptions/:id')
  async get(@Param('id') id: string, @Principal() p: VerifiedToken) {
    return view(await this.subscriptions.forMember(id, p.userId));
  }

  @Patch('subscriptions/:id')
  @ZodApiBody(PatchSchema)
  @Audited('subscription.updated', { target: 'subscription', id: 'id' })
  async update(@Param('id') id: string, @Body() body: unknown, @Principal() p: VerifiedToken) {
    await this.subscriptions.forMember(id, p.userId);
    const input = parseOrThrow(PatchSchema, body);
    return view(
      await this.subscriptions.update(id, {
        url: input.url,
        description: input.description,
        rateLimitPerSecond: input.rate_limit_per_second,
        maxConcurrency: input.max_concurrency,
        zapikey: input.cliq?.zapikey,
        ordering: input.ordering,
        filter: input.filter,
        headers: input.headers,
        auth: input.auth,
      }),
    );
  }

  @Delete('subscriptions/:id')
  @HttpCode(204)
  @Audited('subscription.deleted', { target: 'subscription', id: 'id' })
  async remove(@Param('id') id: string, @Principal() p: VerifiedToken): Promise<void> {
    await this.subscriptions.forMember(id, p.userId);
    await this.subscriptions.remove(id);
  }

  @Post('subscriptions/:id/enable')
  @HttpCode(200)
  @ApiOperation({ summary: 'Re-enable a disabled subscription (then retry what failed with retry-failed)' })
  @Audited('subscription.enabled', { target: 'subscription', id: 'id' })
  async enable(@Param('id') id: string, @Principal() p: VerifiedToken) {
    await this.subscriptions.forMember(id, p.userId);
    return view(await this.subscriptions.enable(id));
  }

  @Get('subscriptions/:id/secret')
  @ApiOperation({ summary: 'The whsec_ signing secret of a standard-webhooks subscription' })
  async secret(@Param('id') id: string, @Principal() p: VerifiedToken) {
    const sub = await this.subscriptions.forMember(id, p.userId);
    return { id, secret: this.secrets.signingSecrets(sub)[0] ?? null };
  }

  @Post('subscriptions/:id/secret/rotate')
  @HttpCode(200)
  @ZodApiBody(RotateSecretSchema)
  @ApiOperation({ summary: 'A new signing secret; messages carry both signatures for grace_seconds (default a day)' })
  @Audited('subscription.secret_rotated', { target: 'subscription', id: 'id' })
  async rotate(@Param('id') id: string, @Body() body: unknown, @Principal() p: VerifiedToken) {
    const sub = await this.subscriptions.forMember(id, p.userId);
    const { grace_seconds } = parseOrThrow(RotateSecretSchema, body ?? {});
    return { id, secret: await this.secrets.rotateSecret(sub, grace_seconds), previous_valid_for_seconds: grace_seconds };
  }

  @Get('subscriptions/:id/deliveries')
  @ApiOperation({ summary: 'Deliveries of a subscription, newest first (status: pending, succeeded, dead)' })
  async deliveriesOf(@Param('id') id: string, @Query() query: unknown, @Principal() p: VerifiedToken) {
    await this.subscriptions.forMember(id, p.userId);
    const q = parseOrThrow(ListDeliveriesQuery, query);
    const page = await this.deliveries.list(id, q.status, q.limit, q.cursor);
    return { data: page.rows.map(deliveryView), next_cursor: page.next };
  }

  @Post('subscriptions/:id/retry-failed')
  @HttpCode(200)
  @ZodApiBody(RetrySinceSchema)
  @ApiOperation({ summary: 'Send again every dead-lettered delivery since a time' })
  @Audited('subscription.deliveries_retried', { target: 'subscription', id: 'id' })
  async retryFailed(@Param('id') id: string, @Body() body: unknown, @Principal() p: VerifiedToken) {
    await this.subscriptions.forMember(id, p.userId);
    const { since } = parseOrThrow(RetrySinceSchema, body);
    const requeued = await this.deliveries.retryFailedSince(id, new Date(since));
    this.worker.kick();
    return { requeued };
  }

  @Get('deliveries/:id')
  @ApiOperation({ summary: 'One delivery with every attempt' })
  async delivery(@Param('id') id: string, @Principal() p: VerifiedToken) {
    const d = await this.deliveries.get(id);
    await this.subscriptions.forMember(d.subscription_id, p.userId);
    return { ...deliveryView(d), attempts: await this.deliveries.attempts(id) };
  }

  @Post('deliveries/:id/retry')
  @HttpCode(200)
  @Audited('delivery.retried', { target: 'delivery', id: 'id' })
  async retry(@Param('id') id: string, @Principal() p: VerifiedToken) {
    const d = await this.deliveries.get(id);
    await this.subscriptions.forMember(d.subscription_id, p.userId);
    const row = await this.deliveries.retry(id);
    this.worker.kick();
    return deliveryView(row);
  }
}
