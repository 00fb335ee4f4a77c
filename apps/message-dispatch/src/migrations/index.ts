import { CreateChannelsAndMessages1795377300000 } from './1795377300000-CreateChannelsAndMessages';

export const dispatchMigrations = [CreateChannelsAndMessages1795377300000];
