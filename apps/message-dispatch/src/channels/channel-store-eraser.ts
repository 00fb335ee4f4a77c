import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { UserErasedV1 } from '@zapgate/contracts';
import type { UserEraser } from '@zapgate/platform';
import { DataSource } from 'typeorm';

/**
 * A user's part of the channel store: the messages they sent (deliveries go
 * with them), their conversation as a user target, their memberships and the
 * subscriptions they made. Channels they own stay for the other members,
 * without an owner.
 */
@Injectable()
export class ChannelStoreEraser implements UserEraser {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async erase(event: UserErasedV1): Promise<Record<string, number>> {
    return this.dataSource.transaction(async (tx) => {
      const count = async (sql: string, params: unknown[]) => ((await tx.query(sql, params)) as [unknown, number])[1];
      return {
        messages: await count(`DELETE FROM "dispatch"."message" WHERE sender_user_id = $1`, [event.userId]),
        conversations: await count(`DELETE FROM "dispatch"."channel" WHERE kind = 'user' AND lower(unique_name) = lower($1)`, [event.email]),
        memberships: await count(`DELETE FROM "dispatch"."member" WHERE member_kind = 'user' AND member_id = $1`, [event.userId]),
        subscriptions: await count(`DELETE FROM "dispatch"."subscription" WHERE owner_user_id = $1`, [event.userId]),
        owned_channels: await count(`UPDATE "dispatch"."channel" SET owner_user_id = NULL WHERE owner_user_id = $1`, [event.userId]),
      };
    });
  }
}
