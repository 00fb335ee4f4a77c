import { runMigrationsLocked } from '@zapgate/platform';
import { createTestDatabase, type TestDatabase } from '@zapgate/testing';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { DispatchConfig } from '../dispatch-config.schema';
import { dispatchMigrations } from '../migrations';
import { ChannelStore } from './channel-store.service';
import { API_FACETS } from './message-facets';
import { MessagePoster } from './message-poster.service';
import type { PostInput } from './post-types';
import type { TargetRef } from './target';

/** MessagePoster against the real PostgreSQL schema: the one-statement path and the full one, and the order they keep. */
describe('MessagePoster (real PostgreSQL)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let poster: MessagePoster;
  let seq = 0;
  const member = randomUUID();
  const stranger = randomUUID();

  beforeAll(async () => {
    db = await createTestDatabase('poster');
    dataSource = await new DataSource({
      type: 'postgres',
      url: db.url,
      schema: 'dispatch',
      migrations: dispatchMigrations,
      migrationsTableName: 'migrations',
    }).initialize();
    await runMigrationsLocked(dataSource, 'dispatch');
    poster = new MessagePoster(dataSource, { CHANNEL_AUTO_CREATE: false } as DispatchConfig, new ChannelStore(dataSource));
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  /** A target with `members`, and one active subscription on it. */
  async function target(kind: 'channel' | 'bot', members: string[]): Promise<{ ref: TargetRef; id: string }> {
    const name = `t-${randomUUID().slice(0, 8)}`;
    const [{ id }] = await db.query<{ id: string }>(`INSERT INTO dispatch.channel (kind, unique_name, owner_user_id) VALUES ($1, $2, $3) RETURNING id`, [
      kind,
      name,
      member,
    ]);
    for (const m of members) await db.query(`INSERT INTO dispatch.member (target_id, member_kind, member_id) VALUES ($1, 'user', $2)`, [id, m]);
    const [sub] = await db.query<{ id: string }>(
      `INSERT INTO dispatch.subscription (target_id, owner_user_id, kind, url) VALUES ($1, $2, 'standard-webhooks', 'http://127.0.0.1:9/hook') RETURNING id`,
      [id, member],
    );
    await db.query(`INSERT INTO dispatch.subscription_target (subscription_id, target_id, position) VALUES ($1, $2, 0)`, [sub.id, id]);
    return { ref: { kind, name: name.toUpperCase() }, id };
  }

  const post = (ref: TargetRef, sender: string, text: string, eventId = randomUUID()): PostInput => ({
    eventId,
    target: ref,
    senderUserId: sender,
    content: { text },
    streamSeq: ++seq,
    receivedAt: new Date(),
    facets: API_FACETS,
  });

  /** The target's messages as stored, in store order. */
  const stored = (id: string) =>
    db.query<{ text: string; sender_user_id: string }>(`SELECT text, sender_user_id FROM dispatch.message WHERE channel_id = $1 ORDER BY store_seq`, [id]);

  it('stores the members’ batch in its order with a delivery each, and a repeat of it stores nothing', async () => {
    const t = await target('channel', [member]);
    const batch = ['a', 'b', 'c'].map((text) => post(t.ref, member, text));
    const results = await poster.postBatch(batch);
    expect(results.map((r) => r.result)).toEqual(['stored', 'stored', 'stored']);
    expect(results.map((r) => (r.result === 'stored' ? r.deliveries : -1))).toEqual([1, 1, 1]);
    const seqs = results.map((r) => (r.result === 'stored' ? BigInt(r.storeSeq) : 0n));
    expect([...seqs].sort((x, y) => (x < y ? -1 : 1))).toEqual(seqs);
    expect((await stored(t.id)).map((m) => m.text)).toEqual(['a', 'b', 'c']);
    const [{ n }] = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM dispatch.delivery d JOIN dispatch.message m ON m.id = d.message_id WHERE m.channel_id = $1`,
      [t.id],
    );
    expect(n).toBe(3);

    const again = await poster.postBatch(batch);
    expect(again).toEqual(batch.map((b) => ({ result: 'repeat', messageId: b.eventId })));
    expect(await stored(t.id)).toHaveLength(3);
  });

  it('keeps the batch whole and in order when one poster must first join (a bot’s conversation)', async () => {
    const t = await target('bot', [member]);
    const results = await poster.postBatch([post(t.ref, member, 'first'), post(t.ref, stranger, 'joins'), post(t.ref, member, 'third')]);
    expect(results.map((r) => r.result)).toEqual(['stored', 'stored', 'stored']);
    expect((await stored(t.id)).map((m) => m.text)).toEqual(['first', 'joins', 'third']);
    const joined = await db.query(`SELECT 1 FROM dispatch.member WHERE target_id = $1 AND member_id = $2`, [t.id, stranger]);
    expect(joined).toHaveLength(1);
  });

  it('refuses a non-member of a channel and stores the others of the batch, in order', async () => {
    const t = await target('channel', [member]);
    const results = await poster.postBatch([post(t.ref, member, 'one'), post(t.ref, stranger, 'intruder'), post(t.ref, member, 'two')]);
    expect(results.map((r) => (r.result === 'rejected' ? r.code : r.result))).toEqual(['stored', 'not_a_member', 'stored']);
    expect((await stored(t.id)).map((m) => m.text)).toEqual(['one', 'two']);
  });

  it('stores an event given twice in one batch once', async () => {
    const t = await target('channel', [member]);
    const twice = post(t.ref, member, 'twice');
    const results = await poster.postBatch([twice, { ...twice }]);
    expect(results.map((r) => r.result)).toEqual(['stored', 'repeat']);
    expect(await stored(t.id)).toHaveLength(1);
  });

  it('refuses a post to a target that does not exist, without creating it', async () => {
    const results = await poster.postBatch([post({ kind: 'channel', name: `none-${randomUUID().slice(0, 8)}` }, member, 'lost')]);
    expect(results).toEqual([{ result: 'rejected', code: 'target_not_found', message: 'No such channel or chat.' }]);
  });
});
