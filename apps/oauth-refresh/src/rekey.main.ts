// `npm run oauth:rekey`: re-seals every stored client secret and token under
// the first key of ENCRYPTION_KEYS. Put the new key first, keep the old one
// after it, run this, then drop the old key a day later (the refresh journal
// in NATS keeps entries for a day).
import { loadConfig, secretBoxFrom } from '@zapgate/platform';
import { Client } from 'pg';
import { oauthConfigSchema } from './oauth-config.schema';
import { rekeyAll } from './rekey/rekey';

async function main(): Promise<void> {
  const config = loadConfig(oauthConfigSchema);
  const box = secretBoxFrom(config.ENCRYPTION_KEYS);
  const db = new Client({ connectionString: config.DATABASE_URL });
  await db.connect();
  try {
    const counts = await rekeyAll(db, box);
    process.stdout.write(`re-sealed under key ${box.currentKeyId}: ${JSON.stringify(counts)}\n`);
  } finally {
    await db.end();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`rekey failed: ${(err as Error).message}\n`);
  process.exit(1);
});
