import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type StoredTokenKind = 'zapikey' | 'authtoken';

/** A token's metadata. The secret itself is never stored: only its keyed hash. */
@Entity({ name: 'token' })
export class TokenEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  kind!: StoredTokenKind;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ name: 'application_id', type: 'uuid', nullable: true })
  applicationId!: string | null;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  scopes!: string[];

  /** HMAC-SHA256(TOKEN_PEPPER, token). */
  @Column({ type: 'bytea', select: false })
  hash!: Buffer;

  @Column({ type: 'text' })
  prefix!: string;

  @Column({ type: 'text' })
  last4!: string;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;

  @Column({ name: 'last_used_ip', type: 'text', nullable: true })
  lastUsedIp!: string | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @Column({ name: 'revoked_reason', type: 'text', nullable: true })
  revokedReason!: string | null;

  /** The token this one replaced by rotation. */
  @Column({ name: 'previous_token_id', type: 'uuid', nullable: true })
  previousTokenId!: string | null;
}
