import { RateWindowRepository, runMigrationsLocked, SharedRateLimiter, type FallbackReason, type QuotaRequest, type SharedLimit } from '@zapgate/platform';
import { createTestDatabase, TEST_PG_ADMIN_URL, type TestDatabase } from '@zapgate/testing';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { ingestMigrations } from '../migrations';

const CLIQ: SharedLimit = { limit: 50, windowMs: 60_000, lockMs: 600_000 };

/** SharedRateLimiter over the real ingest.rate_window: replicas are limiter instances sharing one database. */
describe('SharedRateLimiter (real PostgreSQL)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let windows: RateWindowRepository;
  /** Leases asked of the store, by key: how many round trips the limiters made. */
  const leases = new Map<string, number>();
  const take = (q: QuotaRequest) => {
    leases.set(q.key, (leases.get(q.key) ?? 0) + 1);
    return windows.take(q);
  };
  const replicas = (n: number, limit: SharedLimit) => Array.from({ length: n }, () => new SharedRateLimiter(take, limit));
  const counted = async (key: string) => (await db.query<{ count: number }>(`SELECT count FROM ingest.rate_window WHERE key = $1`, [key]))[0]?.count;

  beforeAll(async () => {
    db = await createTestDatabase('ratewin');
    dataSource = await new DataSource({
      type: 'postgres',
      url: db.url,
      schema: 'ingest',
      migrations: ingestMigrations,
      migrationsTableName: 'migrations',
    }).initialize();
    await runMigrationsLocked(dataSource, 'ingest');
    windows = new RateWindowRepository(dataSource, 'ingest');
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it("refuses a user's 51st post in the minute whichever replica it reaches, and locks them out on both", async () => {
    const key = `user:${randomUUID()}`;
    const [a, b, c] = replicas(3, CLIQ);
    const spread = [a, b, c];
    const answers = [];
    for (let i = 0; i < 50; i++) answers.push(await spread[i % 3].hit(key));
    expect(answers.every((d) => d.allowed)).toBe(true);
    // Within 64 of the limit every post is its own lease: none is left unspent on a replica.
    expect(leases.get(key)).toBe(50);
    for (const replica of spread) {
      const refused = await replica.hit(key);
      expect(refused.allowed).toBe(false);
      expect(refused.retryAfterSeconds).toBeGreaterThan(590);
    }
    expect(await counted(key)).toBe(50);
    // The lock-out is known to the replica that asked; the others learn it from the store once, then keep it.
    const asked = leases.get(key)!;
    await a.hit(key);
    await b.hit(key);
    expect(leases.get(key)).toBe(asked);
  });

  it('lets exactly the limit through when posts race on several replicas at once', async () => {
    const key = `user:${randomUUID()}`;
    const spread = replicas(2, CLIQ);
    const answers = await Promise.all(Array.from({ length: 120 }, (_, i) => Promise.resolve(spread[i % 2].hit(key))));
    expect(answers.filter((d) => d.allowed)).toHaveLength(50);
    expect(await counted(key)).toBe(50);
  });

  it('without a lock-out, a full window refuses until the minute frees room', async () => {
    const key = `ip:${randomUUID()}`;
    const [a, b] = replicas(2, { limit: 5, windowMs: 60_000, lockMs: 0 });
    for (let i = 0; i < 5; i++) expect((await (i % 2 ? b : a).hit(key)).allowed).toBe(true);
    const refused = await b.hit(key);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(60);
    expect((await db.query<{ locked_until: string | null }>(`SELECT locked_until FROM ingest.rate_window WHERE key = $1`, [key]))[0].locked_until).toBeNull();
  });

  it('far from the limit, one round trip covers up to 500 posts', async () => {
    const key = `ip:${randomUUID()}`;
    const spread = replicas(2, { limit: 1_000_000, windowMs: 60_000, lockMs: 0 });
    for (let i = 0; i < 2000; i++) expect((await spread[i % 2].hit(key)).allowed).toBe(true);
    // Each replica asks for its next 500 while a quarter of the last is left: at most one lease ahead each.
    expect(leases.get(key)).toBeLessThanOrEqual(2000 / 500 + 2);
    expect(await counted(key)).toBeGreaterThanOrEqual(2000);
    expect(await counted(key)).toBeLessThanOrEqual(2000 + 2 * 500);
  });

  it('fails safe: with its store unreachable, a replica limits on its own and says so', async () => {
    const app = `zg-outage-${randomUUID().slice(0, 8)}`;
    const lost = await new DataSource({
      type: 'postgres',
      url: db.url,
      schema: 'ingest',
      applicationName: app,
      extra: { max: 1, connectionTimeoutMillis: 500 },
    }).initialize();
    const admin = new Client({ connectionString: TEST_PG_ADMIN_URL });
    await admin.connect();
    try {
      // The database stops taking connections and this replica's are cut: a real outage, for this pool only.
      await admin.query(`ALTER DATABASE ${db.name} ALLOW_CONNECTIONS false`);
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`, [app]);
      const repo = new RateWindowRepository(lost, 'ingest');
      const reasons: FallbackReason[] = [];
      const alone = new SharedRateLimiter(
        (q) => repo.take(q),
        { limit: 3, windowMs: 60_000, lockMs: 0 },
        (reason) => reasons.push(reason),
      );
      const key = `ip:${randomUUID()}`;
      const answers = [];
      for (let i = 0; i < 4; i++) answers.push((await alone.hit(key)).allowed);
      expect(answers).toEqual([true, true, true, false]);
      // The first decision found the store failing; the rest did not wait on it again.
      expect(reasons).toEqual(['store_failed', 'store_down', 'store_down', 'store_down']);
    } finally {
      await admin.query(`ALTER DATABASE ${db.name} ALLOW_CONNECTIONS true`);
      await admin.end();
      await lost.destroy().catch(() => undefined);
    }
  });
});
