import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AnswerCache, APP_CONFIG, SecretBox, secretBoxFrom } from '@zapgate/platform';
import { DataSource } from 'typeorm';
import type { IngestConfig } from '../ingest-config.schema';
import type { SignatureScheme } from './signature-schemes';

export type SubjectKind = 'application' | 'bot';

export interface SenderVerification {
  scheme: SignatureScheme;
  secrets: string[];
}

const CACHE_MS = 5000;
/** Applications and bots with a setting, or asked about, in the last 5 s: a flood of made-up ids cannot grow it past this. */
const MAX_CACHED = 10_000;

/**
 * Which signature scheme and secrets a sender must use, per application or
 * bot. Secrets are sealed with AES-256-GCM (bound to their subject) at rest;
 * opened settings are cached briefly (bounded), so a change takes effect within seconds.
 */
@Injectable()
export class SenderVerificationStore {
  private readonly box: SecretBox;
  private readonly cache = new AnswerCache<SenderVerification | null>(CACHE_MS, MAX_CACHED);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: IngestConfig,
  ) {
    this.box = secretBoxFrom(config.ENCRYPTION_KEYS);
  }

  async get(kind: SubjectKind, id: string): Promise<SenderVerification | null> {
    const key = `${kind}:${id}`;
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit;
    const [row] = (await this.dataSource.query(
      `SELECT scheme, secrets_sealed FROM "ingest"."sender_verification" WHERE subject_kind = $1 AND subject_id = $2`,
      [kind, id],
    )) as { scheme: SignatureScheme; secrets_sealed: string[] }[];
    const value = row ? { scheme: row.scheme, secrets: row.secrets_sealed.map((s) => this.box.open(s, key)) } : null;
    this.cache.set(key, value);
    return value;
  }

  async put(kind: SubjectKind, id: string, setting: SenderVerification): Promise<void> {
    const key = `${kind}:${id}`;
    await this.dataSource.query(
      `INSERT INTO "ingest"."sender_verification" (subject_kind, subject_id, scheme, secrets_sealed) VALUES ($1, $2, $3, $4)
       ON CONFLICT (subject_kind, subject_id) DO UPDATE SET scheme = EXCLUDED.scheme, secrets_sealed = EXCLUDED.secrets_sealed, updated_at = now()`,
      [kind, id, setting.scheme, setting.secrets.map((s) => this.box.seal(s, key))],
    );
    this.cache.delete(key);
  }

  async remove(kind: SubjectKind, id: string): Promise<boolean> {
    const [, count] = (await this.dataSource.query(`DELETE FROM "ingest"."sender_verification" WHERE subject_kind = $1 AND subject_id = $2`, [kind, id])) as [
      unknown,
      number,
    ];
    this.cache.delete(`${kind}:${id}`);
    return count > 0;
  }
}
