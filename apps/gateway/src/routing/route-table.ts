import FindMyWay, { type HTTPMethod } from 'find-my-way';

export type ServiceName = 'token' | 'ingest' | 'dispatch' | 'oauth';

/** The part of an OpenAPI document the table needs. */
export interface OpenApiPaths {
  paths: Record<string, Record<string, unknown>>;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;
/** Each service's own operational routes: reachable on its port, not through the one origin (nor in its merged document). */
export const SERVICE_LOCAL = /^\/(health|metrics|docs)(\/|$)/;

/**
 * Which service answers a method and path, built from the services' OpenAPI documents, so
 * the gateway routes exactly what the services serve (a path template like
 * `/api/v2/{collection}/{name}/messages` becomes `/api/v2/:collection/:name/messages`).
 * Static segments win over parameters, as in the services' own router: `/api/v2/chats/{id}/message`
 * goes to ingest although dispatch serves `/api/v2/{collection}/{name}/members`.
 */
export class RouteTable {
  private readonly router = FindMyWay({ ignoreTrailingSlash: true, caseSensitive: true });
  readonly size: number;

  constructor(documents: Record<ServiceName, OpenApiPaths>) {
    let size = 0;
    const claimed = new Map<string, ServiceName>();
    for (const [service, doc] of Object.entries(documents) as [ServiceName, OpenApiPaths][]) {
      for (const [path, item] of Object.entries(doc.paths)) {
        if (SERVICE_LOCAL.test(path)) continue;
        const route = path.replace(/\{([^}]+)\}/g, ':$1');
        for (const method of METHODS) {
          if (!item[method]) continue;
          const key = `${method} ${route.replace(/:[^/]+/g, ':')}`;
          const owner = claimed.get(key);
          // Two services claiming one route is a bug in the services, not something to guess about.
          if (owner && owner !== service) throw new Error(`${method.toUpperCase()} ${path} is served by both ${owner} and ${service}`);
          if (owner) continue;
          claimed.set(key, service);
          this.router.on(method.toUpperCase() as HTTPMethod, route, () => service);
          size++;
        }
      }
    }
    this.size = size;
  }

  /** The service for this request, or undefined when no service serves it. */
  serviceFor(method: string, url: string): ServiceName | undefined {
    const path = url.split('?')[0];
    const found = this.router.find(method.toUpperCase() as HTTPMethod, path);
    return found ? (found.handler as unknown as () => ServiceName)() : undefined;
  }

  /** Whether any method is served at this path (to answer 405 rather than 404). */
  servesPath(url: string): boolean {
    return METHODS.some((m) => this.serviceFor(m, url) !== undefined);
  }
}
