import { deleteNamespaceStreams } from '@zapgate/testing';
import { TokenServiceHarness } from '../test/token-service.harness';

describe('usage counting', () => {
  it('writes every count at shutdown even when the flush interval has not come round', async () => {
    const svc = await TokenServiceHarness.start({ USAGE_FLUSH_INTERVAL_MS: '60000' });
    try {
      const user = await svc.createUser('shutdown@example.com');
      const minted = await svc.call('POST', `/api/v1/admin/users/${user.id}/tokens`, { admin: true, body: { name: 'n' } });
      const uses = 25;
      await Promise.all(
        Array.from({ length: uses }, () => svc.call('GET', '/api/v1/tokens/current', { headers: { authorization: minted.body.token } })),
      );
      expect(await svc.db.query(`SELECT * FROM token.usage_hourly`)).toEqual([]);
      await svc.app.close();
      const rows = await svc.db.query<{ count: string }>(`SELECT count FROM token.usage_hourly WHERE token_id = $1`, [minted.body.id]);
      expect(rows.map((r) => Number(r.count))).toEqual([uses]);
    } finally {
      await svc.db.drop();
      await deleteNamespaceStreams(svc.namespace);
    }
  });
});
