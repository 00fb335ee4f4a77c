import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { APP_CONFIG, secretBoxFrom, type SecretBox } from '@zapgate/platform';
import { DataSource } from 'typeorm';
import type { DispatchConfig } from '../dispatch-config.schema';
import { newWebhookSecret } from '../outbound/standard-webhooks.signer';
import { liveRetired, type RetiredSecret } from './secret-ring';

/**
 * Each application's Standard Webhooks secret for calls to its handlers,
 * sealed at rest. Made on first use; the owner reads it with their appkey,
 * as Svix lets endpoint owners read theirs.
 */
@Injectable()
export class HandlerSecrets {
  private readonly box: SecretBox;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: DispatchConfig,
  ) {
    this.box = secretBoxFrom(config.ENCRYPTION_KEYS);
  }

  /** The current secret, then retired ones still in grace: every one of them signs. */
  async signingSecrets(appId: string): Promise<string[]> {
    await this.dataSource.query(
      `INSERT INTO "dispatch"."handler_secret" (app_id, secret_sealed) VALUES ($1, $2) ON CONFLICT (app_id) DO NOTHING`,
      [appId, this.box.seal(newWebhookSecret(), appId)],
    );
    const [row] = (await this.dataSource.query(`SELECT secret_sealed, previous FROM "dispatch"."handler_secret" WHERE app_id = $1`, [appId])) as {
      secret_sealed: string;
      previous: RetiredSecret[];
    }[];
    return [row.secret_sealed, ...liveRetired(row.previous).map((p) => p.sealed)].map((s) => this.box.open(s, appId));
  }

  async current(appId: string): Promise<string> {
    return (await this.signingSecrets(appId))[0];
  }

  /** A new secret; the old one keeps signing for `graceSeconds` so handlers can switch without a gap. */
  async rotate(appId: string, graceSeconds: number): Promise<string> {
    await this.signingSecrets(appId);
    const secret = newWebhookSecret();
    await this.dataSource.transaction(async (tx) => {
      const [row] = (await tx.query(`SELECT secret_sealed, previous FROM "dispatch"."handler_secret" WHERE app_id = $1 FOR UPDATE`, [appId])) as {
        secret_sealed: string;
        previous: RetiredSecret[];
      }[];
      const retired = [{ sealed: row.secret_sealed, expires_at: new Date(Date.now() + graceSeconds * 1000).toISOString() }, ...liveRetired(row.previous)];
      await tx.query(`UPDATE "dispatch"."handler_secret" SET secret_sealed = $2, previous = $3, rotated_at = now() WHERE app_id = $1`, [
        appId,
        this.box.seal(secret, appId),
        JSON.stringify(retired.slice(0, 10)),
      ]);
    });
    return secret;
  }
}
