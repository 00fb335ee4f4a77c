import type { ServiceDefinition } from '@zapgate/platform';
import { AppModule } from './app.module';
import { TOKEN_SECRETS, tokenConfigSchema } from './token-config.schema';

export const tokenServiceDefinition: ServiceDefinition<typeof tokenConfigSchema> = {
  name: 'token-service',
  title: 'Zapgate token service',
  description: 'Users, extension tokens (ZAPI keys), legacy authtokens and token verification.',
  configSchema: tokenConfigSchema,
  secrets: TOKEN_SECRETS,
  port: (config) => config.TOKEN_SERVICE_PORT,
  rootModule: (config) => AppModule.forRoot(config),
};
