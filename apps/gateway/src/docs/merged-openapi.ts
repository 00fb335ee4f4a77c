import { SERVICE_LOCAL, type OpenApiPaths, type ServiceName } from '../routing/route-table';

interface Document extends OpenApiPaths {
  openapi: string;
  info: { title: string; description?: string; version: string };
  tags?: { name: string }[];
  components?: { schemas?: Record<string, unknown>; securitySchemes?: Record<string, unknown> };
}

const TITLES: Record<ServiceName, string> = { token: 'token-service', ingest: 'webhook-ingest', dispatch: 'message-dispatch', oauth: 'oauth-refresh' };

/**
 * The four documents as one, for the one origin: every public path, each operation tagged with
 * the service that answers it. The services' operational routes (health, metrics) stay out:
 * they are not routed here.
 */
export function mergeDocuments(documents: Record<ServiceName, Document>, version: string): Document {
  const merged: Document = {
    openapi: documents.token.openapi,
    info: {
      title: 'Zapgate',
      version,
      description:
        'Every public API of Zapgate behind one origin. Each operation names the service that answers it; their own ports serve /health and /metrics.',
    },
    paths: {},
    components: { schemas: {}, securitySchemes: {} },
  };
  for (const [service, doc] of Object.entries(documents) as [ServiceName, Document][]) {
    Object.assign(merged.components!.schemas!, doc.components?.schemas);
    Object.assign(merged.components!.securitySchemes!, doc.components?.securitySchemes);
    for (const [path, item] of Object.entries(doc.paths)) {
      if (SERVICE_LOCAL.test(path)) continue;
      const target = (merged.paths[path] ??= {});
      for (const [method, op] of Object.entries(item)) {
        if (target[method]) continue;
        target[method] = { ...(op as object), 'x-zapgate-service': TITLES[service] };
      }
    }
  }
  return merged;
}
