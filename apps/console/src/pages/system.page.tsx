import { useQuery } from '@tanstack/react-query';
import { useRef } from 'react';
import { DataTable, ErrorNote } from '../components/ui';

interface SystemStatus {
  at: string;
  services: Record<string, { ready: boolean; backlog: number | null; stalled: boolean }>;
  counters: { ingest_requests: number; delivery_failures: number | null };
}

const NAMES: Record<string, string> = { token: 'token-service', ingest: 'webhook-ingest', dispatch: 'message-dispatch', oauth: 'oauth-refresh' };

export function SystemPage() {
  const previous = useRef<SystemStatus | null>(null);
  const status = useQuery({
    queryKey: ['system'],
    refetchInterval: 3000,
    queryFn: async () => {
      const res = await fetch('/api/v1/system/status');
      if (!res.ok) throw new Error(`The gateway answered ${res.status}.`);
      return (await res.json()) as SystemStatus;
    },
  });
  const now = status.data;
  const before = previous.current;
  // Requests per second to ingest, between the last two samples.
  const rate = now && before ? (now.counters.ingest_requests - before.counters.ingest_requests) / ((Date.parse(now.at) - Date.parse(before.at)) / 1000) : null;
  if (now && before !== now) previous.current = now;
  return (
    <>
      <ErrorNote error={status.error} />
      {now && (
        <>
          <ul className="stats" aria-label="key metrics">
            <li>
              <strong>{rate === null ? '…' : rate.toFixed(1)}</strong> ingest requests/s
            </li>
            <li>
              <strong>{Object.values(now.services).reduce((n, s) => n + (s.backlog ?? 0), 0)}</strong> events in backlog
            </li>
            <li>
              <strong>{now.counters.delivery_failures ?? '—'}</strong> failed delivery attempts
            </li>
          </ul>
          <DataTable
            label="services"
            rows={Object.entries(now.services)}
            rowKey={([name]) => name}
            columns={[
              { header: 'Service', cell: ([name]) => NAMES[name] ?? name },
              { header: 'Ready', cell: ([, s]) => <span className={s.ready ? 'ok' : 'bad'}>{s.ready ? 'ready' : 'down'}</span> },
              { header: 'Backlog', cell: ([, s]) => s.backlog ?? '—' },
              { header: 'Consumers', cell: ([, s]) => (s.stalled ? <strong className="bad">stalled</strong> : 'flowing') },
            ]}
          />
        </>
      )}
    </>
  );
}
