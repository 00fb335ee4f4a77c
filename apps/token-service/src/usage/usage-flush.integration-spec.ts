import { Subjects } from '@zapgate/contracts';
import { connectTestNats, deleteNamespaceStreams } from '@zapgate/testing';
import { TokenServiceHarness } from '../test/token-service.harness';

describe('usage counting', () => {
  it('writes every count at shutdown even when the flush interval has not come round', async () => {
    const svc = await TokenServiceHarness.start({ USAGE_FLUSH_INTERVAL_MS: '60000' });
    try {
      const user = await svc.createUser('shutdown@example.com');
      const minted = await svc.call('POST', `/api/v1/admin/users/${user.id}/tokens`, { admin: true, body: { name: 'n' } });
      const uses = 25;
      await Promise.all(Array.from({ length: uses }, () => svc.call('GET', '/api/v1/tokens/current', { headers: { authorization: minted.body.token } })));
      expect(await svc.db.query(`SELECT * FROM token.usage_hourly`)).toEqual([]);
      await svc.app.close();
      const rows = await svc.db.query<{ count: string }>(`SELECT count FROM token.usage_hourly WHERE token_id = $1`, [minted.body.id]);
      expect(rows.map((r) => Number(r.count))).toEqual([uses]);
    } finally {
      await svc.db.drop();
      await deleteNamespaceStreams(svc.namespace);
    }
  });

  it('applies a verifier report once, even when it is delivered twice', async () => {
    const svc = await TokenServiceHarness.start({ USAGE_FLUSH_INTERVAL_MS: '60000' });
    const nc = await connectTestNats();
    try {
      const user = await svc.createUser('reported@example.com');
      const minted = await svc.call('POST', `/api/v1/admin/users/${user.id}/tokens`, { admin: true, body: { name: 'n' } });
      const hour = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000).toISOString();
      const report = {
        reporter: 'verifier-test',
        seq: 7,
        uses: [{ tokenId: minted.body.id, hour, count: 12, lastUsedAt: new Date().toISOString(), lastIp: '203.0.113.9' }],
      };
      const js = nc.jetstream();
      // Two copies past JetStream's duplicate window (different msgIDs), as a redelivery after a crash would be.
      for (const msgID of ['a', 'b']) await js.publish(`${svc.namespace}.${Subjects.TokenUsed}`, JSON.stringify(report), { msgID });
      const deadline = Date.now() + 15_000;
      let rows: { count: string }[] = [];
      while (Date.now() < deadline) {
        rows = await svc.db.query<{ count: string }>(`SELECT count FROM token.usage_hourly WHERE token_id = $1`, [minted.body.id]);
        const applied = await svc.db.query(`SELECT id FROM token.usage_report`);
        if (rows.length && applied.length) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await new Promise((r) => setTimeout(r, 1000)); // the second copy has had its chance
      rows = await svc.db.query<{ count: string }>(`SELECT count FROM token.usage_hourly WHERE token_id = $1`, [minted.body.id]);
      expect(rows.map((r) => Number(r.count))).toEqual([12]);
      const [token] = await svc.db.query<{ last_used_ip: string }>(`SELECT last_used_ip FROM token.token WHERE id = $1`, [minted.body.id]);
      expect(token.last_used_ip).toBe('203.0.113.9');
    } finally {
      await nc.close();
      await svc.app.close();
      await svc.db.drop();
      await deleteNamespaceStreams(svc.namespace);
    }
  });
});
