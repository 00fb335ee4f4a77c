import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { UserErasedV1 } from '@zapgate/contracts';
import type { UserEraser } from '@zapgate/platform';
import { DataSource } from 'typeorm';

/** A user's OAuth connections (tokens and refresh history with them) and pending authorizations, by user id or e-mail. */
@Injectable()
export class ConnectionsEraser implements UserEraser {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async erase(event: UserErasedV1): Promise<Record<string, number>> {
    const refs = [event.userId, event.email.toLowerCase()];
    return this.dataSource.transaction(async (tx) => {
      const count = async (sql: string) => ((await tx.query(sql, [refs])) as [unknown, number])[1];
      return {
        connections: await count(`DELETE FROM "oauth"."connection" WHERE lower(user_ref) = ANY($1)`),
        authorizations: await count(`DELETE FROM "oauth"."auth_state" WHERE lower(user_ref) = ANY($1)`),
      };
    });
  }
}
