import type { ServiceDefinition } from '@zapgate/platform';
import { AppModule } from './app.module';
import { OAUTH_SECRETS, oauthConfigSchema } from './oauth-config.schema';

export const oauthRefreshDefinition: ServiceDefinition<typeof oauthConfigSchema> = {
  name: 'oauth-refresh',
  title: 'Zapgate OAuth refresh',
  description: 'OAuth connectors and per-user connections whose access tokens are refreshed ahead of expiry.',
  configSchema: oauthConfigSchema,
  secrets: OAUTH_SECRETS,
  port: (config) => config.OAUTH_REFRESH_PORT,
  rootModule: (config) => AppModule.forRoot(config),
};
