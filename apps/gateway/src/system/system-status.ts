import type { ServiceName } from '../routing/route-table';

export interface ServiceStatus {
  ready: boolean;
  /** Events waiting or unacknowledged in the service's durable consumers. */
  backlog: number | null;
  stalled: boolean;
}

export interface SystemStatus {
  at: string;
  services: Record<ServiceName, ServiceStatus>;
  /** Since the service started: webhook events accepted, and delivery attempts that failed. */
  counters: { ingest_requests: number; delivery_failures: number | null };
}

/** Whether each service answers its own /health/ready (the gateway's readiness and the System page alike). */
export async function readiness(upstreams: Record<ServiceName, string>): Promise<Record<ServiceName, boolean>> {
  const ready = async (url: string) => {
    try {
      return (await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2000) })).ok;
    } catch {
      return false;
    }
  };
  const checks = await Promise.all((Object.entries(upstreams) as [ServiceName, string][]).map(async ([service, url]) => [service, await ready(url)] as const));
  return Object.fromEntries(checks) as Record<ServiceName, boolean>;
}

async function json(url: string): Promise<{ status: number; body: unknown } | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return { status: res.status, body: await res.json() };
  } catch {
    return undefined;
  }
}

/** Sums a counter's samples in Prometheus text whose labels match. */
function sumCounter(text: string, name: string, labelFilter: (labels: string) => boolean = () => true): number {
  let total = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-z_:]+)(\{([^}]*)\})? ([0-9.eE+-]+)$/.exec(line);
    if (m && m[1] === name && labelFilter(m[3] ?? '')) total += Number(m[4]);
  }
  return total;
}

/**
 * What the console's System page shows: each service's readiness and consumer backlog (their
 * own /health routes), and two counters. Nothing secret: the same as the services' health routes.
 */
export async function systemStatus(upstreams: Record<ServiceName, string>, ingestRequests: number): Promise<SystemStatus> {
  const [ready, consumers] = await Promise.all([
    readiness(upstreams),
    Promise.all(
      (Object.entries(upstreams) as [ServiceName, string][]).map(async ([service, url]) => [service, await json(`${url}/health/consumers`)] as const),
    ),
  ]);
  const services = Object.fromEntries(
    consumers.map(([service, answer]) => {
      const list = (answer?.body as { consumers?: { waiting: number; unacknowledged: number; stalled: boolean }[] } | undefined)?.consumers;
      const status: ServiceStatus = {
        ready: ready[service],
        backlog: list ? list.reduce((n, c) => n + c.waiting + c.unacknowledged, 0) : null,
        stalled: Boolean(list?.some((c) => c.stalled)),
      };
      return [service, status];
    }),
  ) as Record<ServiceName, ServiceStatus>;
  let deliveryFailures: number | null = null;
  try {
    const metrics = await (await fetch(`${upstreams.dispatch}/metrics`, { signal: AbortSignal.timeout(2000) })).text();
    deliveryFailures = sumCounter(metrics, 'zapgate_deliveries_total', (labels) => !/outcome="succeeded"/.test(labels));
  } catch {
    deliveryFailures = null;
  }
  return { at: new Date().toISOString(), services, counters: { ingest_requests: ingestRequests, delivery_failures: deliveryFailures } };
}
