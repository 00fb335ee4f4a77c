import type { ServiceDefinition } from '@zapgate/platform';
import { AppModule } from './app.module';
import { DISPATCH_SECRETS, dispatchConfigSchema } from './dispatch-config.schema';

export const messageDispatchDefinition: ServiceDefinition<typeof dispatchConfigSchema> = {
  name: 'message-dispatch',
  title: 'Zapgate message dispatch',
  description: 'Turns ingested events into chat messages, stores them per channel and delivers them outbound.',
  configSchema: dispatchConfigSchema,
  secrets: DISPATCH_SECRETS,
  port: (config) => config.MESSAGE_DISPATCH_PORT,
  rootModule: (config) => AppModule.forRoot(config),
};
