import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, NATS_CONNECTION, NatsNamespace, secretBoxFrom, whileJetStreamStarts, type SecretBox } from '@zapgate/platform';
import type { KV, NatsConnection } from 'nats';
import type { OAuthConfig } from '../oauth-config.schema';
import type { TokenAnswer } from '../provider/provider-client.service';

/**
 * The provider's answer to a refresh, kept (sealed) in a JetStream key-value
 * bucket between receiving it and writing it to PostgreSQL. With rotating
 * refresh tokens an answer that is lost cannot be asked for again — the old
 * refresh token is spent — so whoever refreshes that connection next applies
 * the journaled answer instead of calling the provider.
 */
@Injectable()
export class RefreshJournal implements OnApplicationBootstrap {
  private readonly logger = new Logger(RefreshJournal.name);
  private kv?: KV;
  private readonly box: SecretBox;
  /** As many copies as the streams keep (JETSTREAM_REPLICAS): a journaled answer must outlive a NATS node. */
  private readonly replicas: number;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly ns: NatsNamespace,
    @Inject(APP_CONFIG) config: OAuthConfig,
  ) {
    this.box = secretBoxFrom(config.ENCRYPTION_KEYS);
    this.replicas = config.JETSTREAM_REPLICAS;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.kv = await whileJetStreamStarts(
      'refresh journal bucket',
      () => this.nc.jetstream().views.kv(this.ns.stream('OAUTH_REFRESH_JOURNAL'), { history: 1, ttl: 24 * 3600_000, replicas: this.replicas }),
      this.logger,
    );
  }

  // One key per connection, overwritten by each refresh: the bucket holds one entry per connection, not per refresh.
  private key(connectionId: string): string {
    return `c.${connectionId}`;
  }

  /** Records the answer that will become `generation`. */
  async record(connectionId: string, generation: number, answer: TokenAnswer): Promise<void> {
    const key = this.key(connectionId);
    await this.kv!.put(key, new TextEncoder().encode(this.box.seal(JSON.stringify({ generation, answer }), key)));
  }

  /** An answer for `generation` that was received but never written, if there is one. */
  async find(connectionId: string, generation: number): Promise<TokenAnswer | undefined> {
    const key = this.key(connectionId);
    const entry = await this.kv!.get(key);
    if (!entry || entry.operation !== 'PUT' || !entry.value.length) return undefined;
    const recorded = JSON.parse(this.box.open(new TextDecoder().decode(entry.value), key)) as { generation: number; answer: TokenAnswer };
    return recorded.generation === generation ? recorded.answer : undefined;
  }
}
