import { Injectable } from '@nestjs/common';
import { RpcSubjects, type ApplicationsGetReply, type UsersGetReply } from '@zapgate/contracts';
import { RpcService } from '@zapgate/platform';

const TTL_MS = 5000;

/** token-service lookups for handler calls, cached briefly: a burst of webhooks for one app asks once. */
@Injectable()
export class Directory {
  private readonly apps = new Map<string, { at: number; reply: Promise<ApplicationsGetReply> }>();
  private readonly users = new Map<string, { at: number; reply: Promise<UsersGetReply> }>();

  constructor(private readonly rpc: RpcService) {}

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
