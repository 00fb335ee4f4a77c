import 'reflect-metadata';
import { runService } from '@zapgate/platform';
import { webhookIngestDefinition } from './webhook-ingest.definition';

runService(webhookIngestDefinition);
