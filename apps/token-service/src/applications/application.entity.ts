import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export interface HandlerUrls {
  /** Receives the extension's incoming-webhook handler payload. */
  incoming?: string;
  /** Receives button/function invocations. */
  function?: string;
}

/**
 * An extension: it mints per-user ZAPI keys. Its appkey only identifies it on
 * webhook URLs (every user sees it); its owner key manages it.
 */
@Entity({ name: 'application' })
export class ApplicationEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ name: 'owner_email', type: 'text' })
  ownerEmail!: string;

  @Column({ name: 'appkey_hash', type: 'bytea', select: false })
  appkeyHash!: Buffer;

  @Column({ name: 'appkey_prefix', type: 'text' })
  appkeyPrefix!: string;

  /** Null for applications made before owner keys existed: an operator issues one. */
  @Column({ name: 'owner_key_hash', type: 'bytea', nullable: true, select: false })
  ownerKeyHash!: Buffer | null;

  @Column({ name: 'owner_key_prefix', type: 'text', nullable: true })
  ownerKeyPrefix!: string | null;

  @Column({ name: 'handler_urls', type: 'jsonb', default: () => "'{}'" })
  handlerUrls!: HandlerUrls;

  @Column({ name: 'allowed_scopes', type: 'text', array: true, default: () => "'{}'" })
  allowedScopes!: string[];

  @Column({ name: 'max_tokens_per_user', type: 'integer', default: 5 })
  maxTokensPerUser!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
