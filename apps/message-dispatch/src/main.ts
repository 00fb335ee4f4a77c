import 'reflect-metadata';
import { runService } from '@zapgate/platform';
import { messageDispatchDefinition } from './message-dispatch.definition';

runService(messageDispatchDefinition);
