export * from './zapgate-client';
export * from './api-error';
export type { paths as TokenServicePaths } from './generated/token-service';
export type { paths as WebhookIngestPaths } from './generated/webhook-ingest';
export type { paths as MessageDispatchPaths } from './generated/message-dispatch';
export type { paths as OAuthRefreshPaths } from './generated/oauth-refresh';
