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
    // Names as ingest accepts them (unique names, chat ids, emails); anything else cannot exist.
    if (!/^[A-Za-z0-9_.:@+-]{1,254}$/.test(name)) throw DispatchException.targetNotFound();
    const target = await this.store.findTarget(kind, name);
    if (!target || !(await this.store.isMember(target.id, 'user', userId))) throw DispatchException.targetNotFound();
    return target;
  }
}
