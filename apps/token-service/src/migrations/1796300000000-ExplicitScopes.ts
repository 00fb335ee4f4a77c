import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The catalogue at the time of this migration; later scopes are not granted to old tokens by it. */
const CATALOGUE = [
  'ZohoCliq.Webhooks.CREATE',
  'ZohoCliq.Messages.READ',
  'ZohoCliq.Channels.READ',
  'ZohoCliq.Channels.CREATE',
  'ZohoCliq.Channels.UPDATE',
  'Zapgate.Subscriptions.ALL',
];

/**
 * Scopes become enforced. A token or application stored without scopes could
 * do everything, so it is given the whole catalogue explicitly; the legacy
 * default `ZohoCliq/webhooks` becomes `ZohoCliq.Webhooks.CREATE`. Any other
 * value stays as stored and grants nothing.
 */
export class ExplicitScopes1796300000000 implements MigrationInterface {
  name = 'ExplicitScopes1796300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE "token"."token" SET scopes = $1 WHERE scopes = '{}'`, [CATALOGUE]);
    await q.query(`UPDATE "token"."application" SET allowed_scopes = $1 WHERE allowed_scopes = '{}'`, [CATALOGUE]);
    await q.query(`UPDATE "token"."token" SET scopes = array_replace(scopes, 'ZohoCliq/webhooks', 'ZohoCliq.Webhooks.CREATE')`);
    await q.query(`UPDATE "token"."token" SET scopes = $1 WHERE 'ZohoCliq/cliqapi' = ANY(scopes)`, [CATALOGUE]);
  }

  async down(): Promise<void> {
    // Nothing to undo: explicit scopes mean the same to code that does not enforce them.
  }
}
