import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { RpcSubjects, Subjects, type ApplicationsGetReply, type UsersGetReply } from '@zapgate/contracts';
import { JetStreamService, RpcService } from '@zapgate/platform';
import type { Subscription } from 'nats';

const TTL_MS = 5000;

/**
 * token-service lookups for handler calls, cached briefly: a burst of webhooks for one app asks once.
 * A changed application (new handler URL) is dropped at once by its event.
 */
@Injectable()
export class Directory implements OnModuleInit, OnModuleDestroy {
  private readonly apps = new Map<string, { at: number; reply: Promise<ApplicationsGetReply> }>();
  private readonly users = new Map<string, { at: number; reply: Promise<UsersGetReply> }>();
  private subscription?: Subscription;

  constructor(
    private readonly rpc: RpcService,
    private readonly jetstream: JetStreamService,
  ) {}

  onModuleInit(): void {
    this.subscription = this.jetstream.listen(Subjects.ApplicationChanged, (e) => this.apps.delete(e.appId));
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }

  application(appId: string): Promise<ApplicationsGetReply> {
    return cached(this.apps, appId, () => this.rpc.request(RpcSubjects.ApplicationsGet, { appId }));
  }

  user(userId: string): Promise<UsersGetReply> {
    return cached(this.users, userId, () => this.rpc.request(RpcSubjects.UsersGet, { userId }));
  }
}

function cached<T>(map: Map<string, { at: number; reply: Promise<T> }>, key: string, load: () => Promise<T>): Promise<T> {
  const hit = map.get(key);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.reply;
  if (map.size > 10_000) map.clear();
  const reply = load();
  map.set(key, { at: Date.now(), reply });
  reply.catch(() => map.delete(key));
  return reply;
}
