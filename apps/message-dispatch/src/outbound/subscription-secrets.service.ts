import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { APP_CONFIG, secretBoxFrom, type SecretBox } from '@zapgate/platform';
import { DataSource } from 'typeorm';
import type { DispatchConfig } from '../dispatch-config.schema';
import { DispatchErrorCodes, DispatchException } from '../dispatch.exception';
import { liveRetired, retire } from '../handlers/secret-ring';
import { endpointColumns, endpointHeaders, type CustomHeaders, type EndpointAuth, type EndpointColumns } from './endpoint-credentials';
import { newWebhookSecret } from './standard-webhooks.signer';
import type { SubscriptionRow } from './subscriptions.service';

/**
 * What a subscription keeps sealed — its signing secrets, a cliq forward's ZAPI key, its own
 * headers and endpoint auth — each with the subscription id as associated data, so a sealed value
 * cannot be moved to another row.
 */
@Injectable()
export class SubscriptionSecrets {
  private readonly box: SecretBox;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: DispatchConfig,
  ) {
    this.box = secretBoxFrom(config.ENCRYPTION_KEYS);
  }

  seal(value: string, subscriptionId: string): string {
    return this.box.seal(value, subscriptionId);
  }

  /** The sealed headers-and-auth columns after a change (see endpointColumns). */
  endpointColumns(
    subscriptionId: string,
    current: EndpointColumns | undefined,
    change: { headers?: CustomHeaders | null; auth?: EndpointAuth | null },
  ): EndpointColumns {
    return endpointColumns(this.box, subscriptionId, current, change);
  }

  /** The current secret, then rotated-out ones still in grace. */
  signingSecrets(row: SubscriptionRow): string[] {
    if (!row.secret_sealed) return [];
    return [row.secret_sealed, ...liveRetired(row.previous_secrets).map((p) => p.sealed)].map((s) => this.box.open(s, row.id));
  }

  /** The subscription's own headers and Authorization, opened for one delivery; never logged or shown. */
  endpointHeaders(row: SubscriptionRow): Record<string, string> {
    return endpointHeaders(this.box, row.id, row);
  }

  zapikey(row: SubscriptionRow): string | undefined {
    return row.zapikey_sealed ? this.box.open(row.zapikey_sealed, row.id) : undefined;
  }

  async rotateSecret(row: SubscriptionRow, graceSeconds: number): Promise<string> {
    if (row.kind !== 'standard-webhooks' || !row.secret_sealed) {
      throw new DispatchException(DispatchErrorCodes.NoSigningSecret, 'Only standard-webhooks subscriptions have a signing secret.');
    }
    const secret = newWebhookSecret();
    await this.dataSource.query(`UPDATE "dispatch"."subscription" SET secret_sealed = $2, previous_secrets = $3 WHERE id = $1`, [
      row.id,
      this.box.seal(secret, row.id),
      JSON.stringify(retire(row.secret_sealed, row.previous_secrets, graceSeconds)),
    ]);
    return secret;
  }
}
