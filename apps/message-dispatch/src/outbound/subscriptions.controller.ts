import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Scopes } from '@zapgate/contracts';
import { Audited, dataList, dataPage, parseOrThrow, ZodApiBody, ZodApiQuery, ZodApiResponse } from '@zapgate/platform';
import { ApiTokenAuth, Principal, RequireScope, TokenAuthGuard, type VerifiedToken } from '@zapgate/token-client';
import { z } from 'zod';
import { COLLECTIONS } from '../channels/target';
import { RotateSecretSchema } from '../handlers/secret-ring';
import { DeliveriesService } from './deliveries.service';
import { DeliveryWorker } from './delivery-worker.service';
import {
  CreatedSubscriptionSchema,
  CreateSchema,
  DeliveryDetailSchema,
  deliveryView,
  DeliveryViewSchema,
  ListDeliveriesQuery,
  PatchSchema,
  RequeuedSchema,
  RetrySinceSchema,
  RotatedSecretSchema,
  SigningSecretSchema,
  subscriptionView as view,
  SubscriptionViewSchema,
} from './subscription.views';

const ListQuery = z.looseObject({ target_id: z.uuid().optional().describe('only the subscriptions of this target') });
import { SubscriptionsService } from './subscriptions.service';
import { SubscriptionSecrets } from './subscription-secrets.service';

/** Outbound subscriptions of targets you are a member of, and their deliveries. */
@ApiTags('subscriptions')
@Controller('api/v1')
@ApiTokenAuth()
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
  @ZodApiResponse(CreatedSubscriptionSchema, { status: 201 })
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
  @ApiOperation({ summary: 'The subscriptions of targets you are a member of' })
  @ZodApiQuery(ListQuery)
  @ZodApiResponse(dataList(SubscriptionViewSchema))
  async list(@Query() query: Record<string, unknown>, @Principal() p: VerifiedToken) {
    const { target_id } = parseOrThrow(ListQuery, query);
    return { data: (await this.subscriptions.listForUser(p.userId, target_id)).map(view) };
  }

  @Get('subscriptions/:id')
  @ApiOperation({ summary: 'A subscription (never its secrets)' })
  @ZodApiResponse(SubscriptionViewSchema)
  async get(@Param('id') id: string, @Principal() p: VerifiedToken) {
    return view(await this.subscriptions.forMember(id, p.userId));
  }

  @Patch('subscriptions/:id')
  @ZodApiBody(PatchSchema)
  @ApiOperation({ summary: 'Change a subscription: URL, limits, ordering, filter, headers, auth (null clears)' })
  @ZodApiResponse(SubscriptionViewSchema)
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
  @ApiOperation({ summary: 'Delete a subscription; its pending deliveries go with it' })
  @Audited('subscription.deleted', { target: 'subscription', id: 'id' })
  async remove(@Param('id') id: string, @Principal() p: VerifiedToken): Promise<void> {
    await this.subscriptions.forMember(id, p.userId);
    await this.subscriptions.remove(id);
  }

  @Post('subscriptions/:id/enable')
  @HttpCode(200)
  @ApiOperation({ summary: 'Re-enable a disabled subscription (then retry what failed with retry-failed)' })
  @ZodApiResponse(SubscriptionViewSchema)
  @Audited('subscription.enabled', { target: 'subscription', id: 'id' })
  async enable(@Param('id') id: string, @Principal() p: VerifiedToken) {
    await this.subscriptions.forMember(id, p.userId);
    return view(await this.subscriptions.enable(id));
  }

  @Get('subscriptions/:id/secret')
  @ApiOperation({ summary: 'The whsec_ signing secret of a standard-webhooks subscription' })
  @ZodApiResponse(SigningSecretSchema)
  async secret(@Param('id') id: string, @Principal() p: VerifiedToken) {
    const sub = await this.subscriptions.forMember(id, p.userId);
    return { id, secret: this.secrets.signingSecrets(sub)[0] ?? null };
  }

  @Post('subscriptions/:id/secret/rotate')
  @HttpCode(200)
  @ZodApiBody(RotateSecretSchema)
  @ZodApiResponse(RotatedSecretSchema)
  @ApiOperation({ summary: 'A new signing secret; messages carry both signatures for grace_seconds (default a day)' })
  @Audited('subscription.secret_rotated', { target: 'subscription', id: 'id' })
  async rotate(@Param('id') id: string, @Body() body: unknown, @Principal() p: VerifiedToken) {
    const sub = await this.subscriptions.forMember(id, p.userId);
    const { grace_seconds } = parseOrThrow(RotateSecretSchema, body ?? {});
    return { id, secret: await this.secrets.rotateSecret(sub, grace_seconds), previous_valid_for_seconds: grace_seconds };
  }

  @Get('subscriptions/:id/deliveries')
  @ApiOperation({ summary: 'Deliveries of a subscription, newest first (status: pending, succeeded, dead)' })
  @ZodApiQuery(ListDeliveriesQuery)
  @ZodApiResponse(dataPage(DeliveryViewSchema))
  async deliveriesOf(@Param('id') id: string, @Query() query: unknown, @Principal() p: VerifiedToken) {
    await this.subscriptions.forMember(id, p.userId);
    const q = parseOrThrow(ListDeliveriesQuery, query);
    const page = await this.deliveries.list(id, q.status, q.limit, q.cursor);
    return { data: page.rows.map(deliveryView), next_cursor: page.next };
  }

  @Post('subscriptions/:id/retry-failed')
  @HttpCode(200)
  @ZodApiBody(RetrySinceSchema)
  @ZodApiResponse(RequeuedSchema)
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
  @ZodApiResponse(DeliveryDetailSchema)
  async delivery(@Param('id') id: string, @Principal() p: VerifiedToken) {
    const d = await this.deliveries.get(id);
    await this.subscriptions.forMember(d.subscription_id, p.userId);
    return { ...deliveryView(d), attempts: await this.deliveries.attempts(id) };
  }

  @Post('deliveries/:id/retry')
  @HttpCode(200)
  @ApiOperation({ summary: 'Send a finished delivery again, from the first attempt of the schedule' })
  @ZodApiResponse(DeliveryViewSchema)
  @Audited('delivery.retried', { target: 'delivery', id: 'id' })
  async retry(@Param('id') id: string, @Principal() p: VerifiedToken) {
    const d = await this.deliveries.get(id);
    await this.subscriptions.forMember(d.subscription_id, p.userId);
    const row = await this.deliveries.retry(id);
    this.worker.kick();
    return deliveryView(row);
  }
}
