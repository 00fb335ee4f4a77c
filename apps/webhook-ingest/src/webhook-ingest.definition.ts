import type { ServiceDefinition } from '@zapgate/platform';
import { AppModule } from './app.module';
import { INGEST_SECRETS, ingestConfigSchema } from './ingest-config.schema';

export const webhookIngestDefinition: ServiceDefinition<typeof ingestConfigSchema> = {
  name: 'webhook-ingest',
  title: 'Zapgate webhook ingest',
  description: 'Cliq-shaped incoming webhooks and message posts: verified, durably stored, deduplicated.',
  configSchema: ingestConfigSchema,
  secrets: INGEST_SECRETS,
  // Signatures are computed over the exact bytes received, and handlers get the body as sent.
  rawBody: true,
  port: (config) => config.WEBHOOK_INGEST_PORT,
  rootModule: (config) => AppModule.forRoot(config),
};
