export * from './zapgate-client';
export * from './api-error';
export * from './dead-letters';
export type { paths as TokenServicePaths } from './generated/token-service';
export type { paths as WebhookIngestPaths } from './generated/webhook-ingest';
export type { paths as MessageDispatchPaths } from './generated/message-dispatch';
export type { paths as OAuthRefreshPaths } from './generated/oauth-refresh';
export type { components as TokenServiceSchemas } from './generated/token-service';
export type { components as WebhookIngestSchemas } from './generated/webhook-ingest';
export type { components as MessageDispatchSchemas } from './generated/message-dispatch';
export type { components as OAuthRefreshSchemas } from './generated/oauth-refresh';

import type { components as TokenServiceComponents } from './generated/token-service';
/** A token's metadata as every token API answers it (never the secret). */
export type TokenView = TokenServiceComponents['schemas']['Token'];
