import { Injectable } from '@nestjs/common';
import { DispatchException } from '../dispatch.exception';
import { ChannelStore } from './channel-store.service';
import type { ChannelEntity } from './channel.entity';
import type { TargetKind } from './target';

/** Resolves a target a caller names and checks they are a member; strangers get the same 404 as a missing target. */
@Injectable()
export class TargetAccess {
  constructor(private readonly store: ChannelStore) {}

  async memberTarget(kind: TargetKind, name: string, userId: string): Promise<ChannelEntity> {
    const target = await this.store.findTarget(kind, name);
    if (!target || !(await this.store.isMember(target.id, 'user', userId))) throw DispatchException.targetNotFound();
    return target;
  }
}
