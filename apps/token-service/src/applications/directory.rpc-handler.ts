import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { RpcSubjects, type ApplicationsGetReply, type UsersGetReply } from '@zapgate/contracts';
import { RpcService } from '@zapgate/platform';
import { DataSource } from 'typeorm';
import { UserEntity } from '../users/user.entity';
import { ApplicationEntity } from './application.entity';

/**
 * Answers lookups other services need to act for an application or user:
 * message-dispatch reads an application's handler URL and the `user` object it
 * sends to handlers. Only public settings cross the wire, never key material.
 */
@Injectable()
export class DirectoryRpcHandler implements OnApplicationBootstrap {
  constructor(
    private readonly rpc: RpcService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  onApplicationBootstrap(): void {
    this.rpc.serve(RpcSubjects.ApplicationsGet, 'token-service', async ({ appId }): Promise<ApplicationsGetReply> => {
      const app = await this.dataSource.getRepository(ApplicationEntity).findOneBy({ id: appId });
      return app ? { found: true, application: { id: app.id, name: app.name, handlerUrls: app.handlerUrls } } : { found: false };
    });
    this.rpc.serve(RpcSubjects.UsersGet, 'token-service', async ({ userId }): Promise<UsersGetReply> => {
      const user = await this.dataSource.getRepository(UserEntity).findOneBy({ id: userId });
      if (!user) return { found: false };
      const [first, ...rest] = user.displayName.trim().split(/\s+/);
      return { found: true, user: { id: user.id, email: user.email, first_name: first ?? '', last_name: rest.join(' '), active: user.active } };
    });
  }
}
