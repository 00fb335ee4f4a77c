import { Injectable, Logger } from '@nestjs/common';
import { Subjects, type ApplicationChangedV1, type TokenRevokedV1 } from '@zapgate/contracts';
import { JetStreamService } from '@zapgate/platform';

/**
 * Tells the other services about revocations so their token caches drop the
 * answer at once. The database change is already committed when this runs: if
 * NATS is down the event is lost, and caches still expire within their TTL.
 */
@Injectable()
export class TokenEventsPublisher {
  private readonly logger = new Logger(TokenEventsPublisher.name);

  constructor(private readonly jetstream: JetStreamService) {}

  async revoked(tokenId: string, userId: string, reason: TokenRevokedV1['reason'], revokedAt = new Date()): Promise<void> {
    await this.publishSafely(() =>
      this.jetstream.publish(Subjects.TokenRevoked, { tokenId, userId, reason, revokedAt: revokedAt.toISOString() }, { msgID: `token-revoked:${tokenId}` }),
    );
  }

  async operatorKeyRevoked(keyId: string, revokedAt: Date): Promise<void> {
    await this.publishSafely(() =>
      this.jetstream.publish(Subjects.OperatorKeyRevoked, { keyId, revokedAt: revokedAt.toISOString() }, { msgID: `operator-key-revoked:${keyId}` }),
    );
  }

  async userDeactivated(userId: string, deactivatedAt: Date): Promise<void> {
    await this.publishSafely(() =>
      this.jetstream.publish(
        Subjects.UserDeactivated,
        { userId, deactivatedAt: deactivatedAt.toISOString() },
        { msgID: `user-deactivated:${userId}:${deactivatedAt.getTime()}` },
      ),
    );
  }

  /**
   * Unlike the others this one must get through: the erasure of every other
   * service's data hangs on it, so a failure reaches the caller (503) and
   * token-service deletes nothing until it is published.
   */
  async userErased(userId: string, email: string, erasedAt: Date): Promise<void> {
    await this.jetstream.publish(Subjects.UserErased, { userId, email, erasedAt: erasedAt.toISOString() }, { msgID: `user-erased:${userId}` });
  }

  async applicationChanged(appId: string, change: ApplicationChangedV1['change'], changedAt = new Date()): Promise<void> {
    await this.publishSafely(() =>
      this.jetstream.publish(
        Subjects.ApplicationChanged,
        { appId, change, changedAt: changedAt.toISOString() },
        { msgID: `application-changed:${appId}:${changedAt.getTime()}` },
      ),
    );
  }

  private async publishSafely(publish: () => Promise<unknown>): Promise<void> {
    try {
      await publish();
    } catch (err) {
      this.logger.warn({ err }, 'could not publish a token lifecycle event; caches will expire on their TTL');
    }
  }
}
