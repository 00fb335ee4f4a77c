import 'reflect-metadata';
import { runService } from '@zapgate/platform';
import { oauthRefreshDefinition } from './oauth-refresh.definition';

runService(oauthRefreshDefinition);
