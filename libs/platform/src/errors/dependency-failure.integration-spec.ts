import { Client } from 'pg';
import { isDependencyFailure, isRejectedValue } from './dependency-failure';

describe('classifying database errors', () => {
  it('treats a connection that is refused, reset or shutting down as a dependency failure', () => {
    expect(isDependencyFailure({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:5432' })).toBe(true);
    expect(isDependencyFailure({ code: '57P01', message: 'terminating connection due to administrator command', severity: 'FATAL' })).toBe(true);
    expect(isDependencyFailure({ code: '08006', message: 'connection failure' })).toBe(true);
    expect(isDependencyFailure(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDependencyFailure(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isDependencyFailure({ code: '23505', message: 'duplicate key value violates unique constraint', severity: 'ERROR' })).toBe(false);
    expect(isDependencyFailure(new TypeError('x is undefined'))).toBe(false);
  });

  it("treats PostgreSQL's data exceptions (a NUL byte, a malformed uuid) as the caller's input", async () => {
    const client = new Client({ connectionString: process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' });
    await client.connect();
    try {
      const nul = await client.query('SELECT $1::text', ['a\u0000b']).catch((e: unknown) => e);
      const uuid = await client.query('SELECT $1::uuid', ['not-a-uuid']).catch((e: unknown) => e);
      expect(isRejectedValue(nul)).toBe(true);
      expect(isRejectedValue(uuid)).toBe(true);
      expect(isRejectedValue({ code: '22001' })).toBe(false); // not from PostgreSQL: no severity
      expect(isRejectedValue(new Error('boom'))).toBe(false);
    } finally {
      await client.end();
    }
  });
});
