import { Inject, Injectable } from '@nestjs/common';
import type { OperatorRole } from '@zapgate/contracts';
import { CommonCodes, CommonException, type Operator } from '@zapgate/platform';
import { displayParts, generateToken, isWellFormedSecret } from '@zapgate/token-client';
import { TokenEventsPublisher } from '../tokens/token-events.publisher';
import { TokenHasher } from '../tokens/token-hasher';
import { OperatorKeysRepository, type OperatorKeyRow } from './operator-keys.repository';

/** Named operator keys: created and revoked by an admin, stored as keyed hashes, checked for every service over NATS. */
@Injectable()
export class OperatorKeysService {
  constructor(
    private readonly keys: OperatorKeysRepository,
    @Inject(TokenHasher) private readonly hasher: TokenHasher,
    private readonly events: TokenEventsPublisher,
  ) {}

  /** The new key's row and the key itself, shown this once. */
  async create(name: string, role: OperatorRole, createdBy: Operator): Promise<{ row: OperatorKeyRow; key: string }> {
    const key = generateToken('operatorkey');
    const row = await this.keys.insert({ name, role, keyHash: this.hasher.hash(key), keyPrefix: displayParts(key).prefix, createdBy: createdBy.keyId });
    return { row, key };
  }

  async verify(key: string): Promise<Operator | undefined> {
    if (!isWellFormedSecret(key, 'operatorkey')) return undefined;
    const row = await this.keys.findActive(this.hasher.hash(key));
    return row ? { keyId: row.id, name: row.name, role: row.role } : undefined;
  }

  /** Stops the key on every service: now here, and at once elsewhere by event (their 2 s cache bounds a missed one). */
  async revoke(id: string): Promise<void> {
    const revoked = await this.keys.revoke(id);
    if (revoked) return this.events.operatorKeyRevoked(revoked.id, revoked.revoked_at!);
    if (!(await this.keys.exists(id))) throw new CommonException(CommonCodes.NotFound, 'No such operator key.');
  }

  list(includeRevoked: boolean): Promise<OperatorKeyRow[]> {
    return this.keys.list(includeRevoked);
  }
}
