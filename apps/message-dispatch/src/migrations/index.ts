import { CreateChannelsAndMessages1795377300000 } from './1795377300000-CreateChannelsAndMessages';
import { GeneraliseTargets1795380600000 } from './1795380600000-GeneraliseTargets';

export const dispatchMigrations = [CreateChannelsAndMessages1795377300000, GeneraliseTargets1795380600000];
