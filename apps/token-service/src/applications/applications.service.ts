import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { APP_CONFIG, SsrfGuard } from '@zapgate/platform';
import { displayParts, generateToken, isWellFormedSecret } from '@zapgate/token-client';
import type { TokenConfig } from '../token-config.schema';
import { timingSafeEqual } from 'node:crypto';
import { DataSource } from 'typeorm';
import { TokenEventsPublisher } from '../tokens/token-events.publisher';
import { TokenHasher } from '../tokens/token-hasher';
import { TokenErrorCodes, TokenException } from '../tokens/token.exception';
import { ApplicationEntity, type HandlerUrls } from './application.entity';

export interface ApplicationInput {
  name: string;
  ownerEmail: string;
  handlerUrls: HandlerUrls;
  allowedScopes: string[];
  maxTokensPerUser: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Injectable()
export class ApplicationsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(TokenHasher) private readonly hasher: TokenHasher,
    private readonly events: TokenEventsPublisher,
    @Inject(APP_CONFIG) config: TokenConfig,
  ) {
    this.guard = new SsrfGuard(config.OUTBOUND_ALLOWED_CIDRS);
  }

  private readonly guard: SsrfGuard;

  /** Handler URLs are called by message-dispatch: refused now, with the field named, when they point inside the network. */
  private async checkHandlerUrls(urls: HandlerUrls | undefined): Promise<void> {
    for (const [name, url] of Object.entries(urls ?? {})) if (typeof url === 'string') await this.guard.refuseUnsafe(url, `handler_urls.${name}`);
  }

  private get repo() {
    return this.dataSource.getRepository(ApplicationEntity);
  }

  /** Returns the new application with its appkey and owner key, both shown this once. */
  async create(input: ApplicationInput): Promise<{ application: ApplicationEntity; appkey: string; ownerKey: string }> {
    await this.checkHandlerUrls(input.handlerUrls);
    const appkey = generateToken('appkey');
    const ownerKey = generateToken('ownerkey');
    const application = await this.repo.save(
      this.repo.create({
        ...input,
        ownerEmail: input.ownerEmail.toLowerCase(),
        appkeyHash: this.hasher.hash(appkey),
        appkeyPrefix: displayParts(appkey).prefix,
        ownerKeyHash: this.hasher.hash(ownerKey),
        ownerKeyPrefix: displayParts(ownerKey).prefix,
      }),
    );
    return { application, appkey, ownerKey };
  }

  async update(id: string, patch: Partial<ApplicationInput>): Promise<ApplicationEntity> {
    await this.get(id);
    await this.checkHandlerUrls(patch.handlerUrls);
    await this.repo.update({ id }, { ...patch, ...(patch.ownerEmail ? { ownerEmail: patch.ownerEmail.toLowerCase() } : {}) });
    // Verifiers cache the application with its handler URLs and owner: they must not serve the old ones.
    await this.events.applicationChanged(id, 'updated');
    return this.get(id);
  }

  /** A new appkey; the old one stops working at once. */
  async rotateAppkey(id: string): Promise<{ application: ApplicationEntity; appkey: string }> {
    await this.get(id);
    const appkey = generateToken('appkey');
    await this.repo.update({ id }, { appkeyHash: this.hasher.hash(appkey), appkeyPrefix: displayParts(appkey).prefix });
    await this.events.applicationChanged(id, 'appkey_rotated');
    return { application: await this.get(id), appkey };
  }

  /** A new owner key (also the first one, for applications made before they existed); the old one stops working at once. */
  async rotateOwnerKey(id: string): Promise<{ application: ApplicationEntity; ownerKey: string }> {
    await this.get(id);
    const ownerKey = generateToken('ownerkey');
    await this.repo.update({ id }, { ownerKeyHash: this.hasher.hash(ownerKey), ownerKeyPrefix: displayParts(ownerKey).prefix });
    await this.events.applicationChanged(id, 'owner_key_rotated');
    return { application: await this.get(id), ownerKey };
  }

  async get(id: string): Promise<ApplicationEntity> {
    const application = UUID.test(id) ? await this.repo.findOneBy({ id }) : null;
    if (!application) throw new TokenException(TokenErrorCodes.ApplicationNotFound, 'No such application.');
    return application;
  }

  /** The application if `appkey` is its key; an unknown id and a wrong key get the same 401. */
  async authenticate(id: string, appkey: string | undefined): Promise<ApplicationEntity> {
    const denied = new TokenException(TokenErrorCodes.InvalidAppkey, 'The appkey is missing or does not belong to this application.');
    if (!appkey || !UUID.test(id) || !isWellFormedSecret(appkey, 'appkey')) throw denied;
    const row = await this.withHashes(id);
    if (!row || !timingSafeEqual(row.appkeyHash, this.hasher.hash(appkey))) throw denied;
    return row;
  }

  /** The application if `ownerKey` is its owner key; an application without one accepts none. */
  async authenticateOwner(id: string, ownerKey: string): Promise<ApplicationEntity | undefined> {
    if (!UUID.test(id) || !isWellFormedSecret(ownerKey, 'ownerkey')) return undefined;
    const row = await this.withHashes(id);
    if (!row?.ownerKeyHash || !timingSafeEqual(row.ownerKeyHash, this.hasher.hash(ownerKey))) return undefined;
    return row;
  }

  private withHashes(id: string): Promise<ApplicationEntity | null> {
    return this.repo.createQueryBuilder('a').addSelect(['a.appkeyHash', 'a.ownerKeyHash']).where('a.id = :id', { id }).getOne();
  }
}
