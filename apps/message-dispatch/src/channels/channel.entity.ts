import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'channel' })
export class ChannelEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text', default: 'channel' })
  kind!: 'channel' | 'bot' | 'chat' | 'user';

  @Column({ name: 'unique_name', type: 'text' })
  uniqueName!: string;

  @Column({ type: 'text', nullable: true })
  title!: string | null;

  @Column({ name: 'owner_user_id', type: 'uuid', nullable: true })
  ownerUserId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
