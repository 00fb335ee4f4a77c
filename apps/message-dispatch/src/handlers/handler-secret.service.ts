import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { APP_CONFIG, secretBoxFrom, type SecretBox } from '@zapgate/platform';
import { DataSource } from 'typeorm';
import type { DispatchConfig } from '../dispatch-config.schema';
import { newWebhookSecret } from '../outbound/standard-webhooks.signer';
import { liveRetired, retire, type RetiredSecret } from './secret-ring';

interface SecretRow {
  secret_sealed: string;
  previous: RetiredSecret[];
}

/**
 * Each application's Standard Webhooks secret for calls to its handlers,
 * sealed at rest. Made on first use; the owner reads it with their owner key,
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

  /** The current secret, then retired ones still in grace: every one of them signs. Made on first use. */
  async signingSecrets(appId: string): Promise<string[]> {
    // Read first: every handler call needs the secrets, and only the very first one has to create them.
    const row = (await this.read(appId)) ?? (await this.create(appId));
    return [row.secret_sealed, ...liveRetired(row.previous).map((p) => p.sealed)].map((s) => this.box.open(s, appId));
  }

  private async read(appId: string): Promise<SecretRow | undefined> {
    const [row] = (await this.dataSource.query(`SELECT secret_sealed, previous FROM "dispatch"."handler_secret" WHERE app_id = $1`, [appId])) as SecretRow[];
    return row;
  }

  private async create(appId: string): Promise<SecretRow> {
    await this.dataSource.query(`INSERT INTO "dispatch"."handler_secret" (app_id, secret_sealed) VALUES ($1, $2) ON CONFLICT (app_id) DO NOTHING`, [
      appId,
      this.box.seal(newWebhookSecret(), appId),
    ]);
    // A concurrent first call may have won the insert: whichever secret is stored is the one.
    return (await this.read(appId))!;
  }

  async current(appId: string): Promise<string> {
    return (await this.signingSecrets(appId))[0];
  }

  /** A new secret; the old one keeps signing for `graceSeconds` so handlers can switch without a gap. */
  async rotate(appId: string, graceSeconds: number): Promise<string> {
    await this.signingSecrets(appId);
    const secret = newWebhookSecret();
    await this.dataSource.transaction(async (tx) => {
      const [row] = (await tx.query(`SELECT secret_sealed, previous FROM "dispatch"."handler_secret" WHERE app_id = $1 FOR UPDATE`, [appId])) as SecretRow[];
      await tx.query(`UPDATE "dispatch"."handler_secret" SET secret_sealed = $2, previous = $3, rotated_at = now() WHERE app_id = $1`, [
        appId,
        this.box.seal(secret, appId),
        JSON.stringify(retire(row.secret_sealed, row.previous, graceSeconds)),
      ]);
    });
    return secret;
  }
}
