import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiTags, ApiSecurity } from '@nestjs/swagger';
import { OperationalEventTypes } from '@zapgate/contracts';
import { AdminKeyGuard, Audited, dataList, dataPage, parseOrThrow, ZodApiBody, ZodApiQuery, ZodApiResponse } from '@zapgate/platform';
import { z } from 'zod';
import { OperationsFeed } from '../channels/operations-feed';
import { DispatchErrorCodes, DispatchException } from '../dispatch.exception';
import { RotateSecretSchema } from '../handlers/secret-ring';
import { DeliveriesService } from '../outbound/deliveries.service';
import { DeliveryWorker } from '../outbound/delivery-worker.service';
import {
  DeliveryDetailSchema,
  deliveryView,
  DeliveryViewSchema,
  ListDeliveriesQuery,
  RequeuedSchema,
  RetrySinceSchema,
  RotatedSecretSchema,
} from '../outbound/subscription.views';
import { SubscriptionsService, type SubscriptionRow } from '../outbound/subscriptions.service';
import { SubscriptionSecrets } from '../outbound/subscription-secrets.service';
import { CreateSchema, EndpointSchema, endpointView as view, PatchSchema } from './operational-webhook.views';

/**
 * Operators' endpoints for Zapgate's own events (Svix's operational
 * webhooks): delivery.exhausted, subscription.disabled, token.revoked,
 * user.deactivated, connection.reauth_required — signed like any
 * standard-webhooks delivery, retried and dead-lettered the same way.
 */
@ApiTags('operations')
@ApiSecurity('adminKey')
@UseGuards(AdminKeyGuard)
@Controller('api/v1/admin/operational-webhooks')
export class OperationalWebhooksController {
  constructor(
    private readonly subscriptions: SubscriptionsService,
    private readonly secrets: SubscriptionSecrets,
    private readonly deliveries: DeliveriesService,
    private readonly worker: DeliveryWorker,
    private readonly operations: OperationsFeed,
  ) {}

  @Post()
  @ZodApiBody(CreateSchema)
  @ZodApiResponse(EndpointSchema.extend({ secret: z.string().describe('the whsec_ signing secret') }), { status: 201 })
  @ApiOperation({ summary: `Register an endpoint for operational events (${OperationalEventTypes.join(', ')}); answers its whsec_ secret` })
  @Audited('operational_webhook.created', { target: 'subscription', id: 'response' })
  async create(@Body() body: unknown) {
    const input = parseOrThrow(CreateSchema, body);
    const { subscription, secret } = await this.subscriptions.createOperational({
      url: input.url,
      description: input.description,
      rateLimitPerSecond: input.rate_limit_per_second,
      filter: input.event_types ? { event_types: input.event_types } : null,
      headers: input.headers,
      auth: input.auth,
    });
    return { ...view(subscription), secret };
  }

  @Get()
  @ApiOperation({ summary: 'The operational endpoints' })
  @ZodApiResponse(dataList(EndpointSchema))
  async list() {
    const target = await this.operations.target();
    return { data: (await this.subscriptions.listForTarget(target.id)).map(view) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'An operational endpoint (never its secrets)' })
  @ZodApiResponse(EndpointSchema)
  async get(@Param('id') id: string) {
    return view(await this.endpoint(id));
  }

  @Patch(':id')
  @ZodApiBody(PatchSchema)
  @ApiOperation({ summary: 'Change an operational endpoint (null clears a field)' })
  @ZodApiResponse(EndpointSchema)
  @Audited('operational_webhook.updated', { target: 'subscription', id: 'id' })
  async update(@Param('id') id: string, @Body() body: unknown) {
    await this.endpoint(id);
    const input = parseOrThrow(PatchSchema, body);
    return view(
      await this.subscriptions.update(id, {
        url: input.url,
        description: input.description,
        rateLimitPerSecond: input.rate_limit_per_second,
        filter: input.event_types === undefined ? undefined : input.event_types ? { event_types: input.event_types } : null,
        headers: input.headers,
        auth: input.auth,
      }),
    );
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an operational endpoint' })
  @Audited('operational_webhook.deleted', { target: 'subscription', id: 'id' })
  async remove(@Param('id') id: string): Promise<void> {
    await this.endpoint(id);
    await this.subscriptions.remove(id);
  }

  @Post(':id/enable')
  @HttpCode(200)
  @ApiOperation({ summary: 'Re-enable a disabled operational endpoint' })
  @ZodApiResponse(EndpointSchema)
  @Audited('operational_webhook.enabled', { target: 'subscription', id: 'id' })
  async enable(@Param('id') id: string) {
    await this.endpoint(id);
    return view(await this.subscriptions.enable(id));
  }

  @Post(':id/secret/rotate')
  @HttpCode(200)
  @ZodApiBody(RotateSecretSchema)
  @ApiOperation({ summary: 'A new signing secret; deliveries carry both signatures for grace_seconds' })
  @ZodApiResponse(RotatedSecretSchema)
  @Audited('operational_webhook.secret_rotated', { target: 'subscription', id: 'id' })
  async rotate(@Param('id') id: string, @Body() body: unknown) {
    const sub = await this.endpoint(id);
    const { grace_seconds } = parseOrThrow(RotateSecretSchema, body ?? {});
    return { id, secret: await this.secrets.rotateSecret(sub, grace_seconds), previous_valid_for_seconds: grace_seconds };
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: 'Deliveries to an operational endpoint, newest first (status: pending, succeeded, dead)' })
  @ZodApiQuery(ListDeliveriesQuery)
  @ZodApiResponse(dataPage(DeliveryViewSchema))
  async deliveriesOf(@Param('id') id: string, @Query() query: unknown) {
    await this.endpoint(id);
    const q = parseOrThrow(ListDeliveriesQuery, query);
    const page = await this.deliveries.list(id, q.status, q.limit, q.cursor);
    return { data: page.rows.map(deliveryView), next_cursor: page.next };
  }

  @Post(':id/retry-failed')
  @HttpCode(200)
  @ZodApiBody(RetrySinceSchema)
  @ApiOperation({ summary: 'Send again every dead-lettered delivery since a time' })
  @ZodApiResponse(RequeuedSchema)
  @Audited('operational_webhook.deliveries_retried', { target: 'subscription', id: 'id' })
  async retryFailed(@Param('id') id: string, @Body() body: unknown) {
    await this.endpoint(id);
    const { since } = parseOrThrow(RetrySinceSchema, body);
    const requeued = await this.deliveries.retryFailedSince(id, new Date(since));
    this.worker.kick();
    return { requeued };
  }

  @Get(':id/deliveries/:deliveryId')
  @ApiOperation({ summary: 'One delivery to an operational endpoint, with every attempt' })
  @ZodApiResponse(DeliveryDetailSchema)
  async delivery(@Param('id') id: string, @Param('deliveryId') deliveryId: string) {
    await this.endpoint(id);
    const d = await this.deliveries.get(deliveryId);
    if (d.subscription_id !== id) throw new DispatchException(DispatchErrorCodes.DeliveryNotFound, 'No such delivery.');
    return { ...deliveryView(d), attempts: await this.deliveries.attempts(deliveryId) };
  }

  @Post(':id/deliveries/:deliveryId/retry')
  @HttpCode(200)
  @ApiOperation({ summary: 'Send one finished delivery again' })
  @ZodApiResponse(DeliveryViewSchema)
  @Audited('operational_webhook.delivery_retried', { target: 'delivery', id: 'deliveryId' })
  async retry(@Param('id') id: string, @Param('deliveryId') deliveryId: string) {
    await this.endpoint(id);
    const d = await this.deliveries.get(deliveryId);
    if (d.subscription_id !== id) throw new DispatchException(DispatchErrorCodes.DeliveryNotFound, 'No such delivery.');
    const row = await this.deliveries.retry(deliveryId);
    this.worker.kick();
    return deliveryView(row);
  }

  /** The subscription if it is an operators' endpoint; the same 404 for a user's subscription. */
  private async endpoint(id: string): Promise<SubscriptionRow> {
    const row = /^[0-9a-f-]{36}$/i.test(id) ? await this.subscriptions.row(id).catch(() => undefined) : undefined;
    if (!row || row.target_id !== (await this.operations.target()).id)
      throw new DispatchException(DispatchErrorCodes.SubscriptionNotFound, 'No such operational webhook.');
    return row;
  }
}
