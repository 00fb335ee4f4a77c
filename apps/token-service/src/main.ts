import 'reflect-metadata';
import { runService } from '@zapgate/platform';
import { tokenServiceDefinition } from './token-service.definition';

runService(tokenServiceDefinition);
