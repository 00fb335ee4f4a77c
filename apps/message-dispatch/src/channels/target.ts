import type { MessageTarget } from '@zapgate/contracts';
import { parseOrThrow } from '@zapgate/platform';
import { z } from 'zod';

export type TargetKind = 'channel' | 'bot' | 'chat' | 'user';

export interface TargetRef {
  kind: TargetKind;
  name: string;
}

/** The store's key for a message target named in an event. */
export function targetRef(target: Exclude<MessageTarget, { kind: 'application' }>): TargetRef {
  switch (target.kind) {
    case 'chat':
      return { kind: 'chat', name: target.id };
    case 'user':
      return { kind: 'user', name: target.email };
    case 'channel':
    case 'bot':
      return { kind: target.kind, name: target.name };
  }
}

/** URL collection → target kind, as in Cliq's paths. */
export const COLLECTIONS = { channelsbyname: 'channel', chats: 'chat', bots: 'bot' } as const satisfies Record<string, TargetKind>;

const CollectionSchema = z.enum(Object.keys(COLLECTIONS) as [keyof typeof COLLECTIONS, ...(keyof typeof COLLECTIONS)[]]);

/** The target kind a URL's collection segment names; 400 for any other segment. */
export function collectionKind(collection: string): TargetKind {
  return COLLECTIONS[parseOrThrow(CollectionSchema, collection, 'collection')];
}
