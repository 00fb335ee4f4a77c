import type { paths as WebhookIngestPaths } from './generated/webhook-ingest';
import type { ServiceName, ZapgateClient } from './zapgate-client';

/** The prefix each service mounts its operator routes under (`/api/v1/<prefix>/dead-letters`, `/audit`, `/retention`). */
export const OPERATIONS_PREFIX = { token: 'token-service', ingest: 'ingest', dispatch: 'dispatch', oauth: 'oauth' } as const satisfies Record<
  ServiceName,
  string
>;

type Routes = WebhookIngestPaths;
export type DeadLetterQuery = NonNullable<Routes['/api/v1/ingest/dead-letters']['get']['parameters']['query']>;
export type DeadLetterRetryBody = NonNullable<Routes['/api/v1/ingest/dead-letters/retry']['post']['requestBody']>['content']['application/json'];

/**
 * One service's dead letters. Every service serves the same platform routes under its own prefix,
 * so one typed view serves the four: typed as webhook-ingest's, called with the service's prefix.
 */
export function deadLetters(zapgate: ZapgateClient, service: ServiceName) {
  const client = zapgate[service] as unknown as ZapgateClient['ingest'];
  const prefix = OPERATIONS_PREFIX[service];
  return {
    list: (query: DeadLetterQuery = {}) => client.GET(`/api/v1/${prefix}/dead-letters` as '/api/v1/ingest/dead-letters', { params: { query } }),
    retry: (id: string) => client.POST(`/api/v1/${prefix}/dead-letters/{id}/retry` as '/api/v1/ingest/dead-letters/{id}/retry', { params: { path: { id } } }),
    retryAll: (body: DeadLetterRetryBody) => client.POST(`/api/v1/${prefix}/dead-letters/retry` as '/api/v1/ingest/dead-letters/retry', { body }),
  };
}
