import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { deadLetters, OPERATIONS_PREFIX, type ServiceName } from '@zapgate/client';
import { apiAsToken, unwrap } from '../api/api';
import { useConsole } from '../api/use-api';
import { DataTable, ErrorNote, Field, usePager, when } from '../components/ui';

export function DeliveriesPage() {
  const { session } = useConsole();
  return (
    <>
      <Subscriptions />
      {session.kind === 'operator' && <DeadLetters />}
    </>
  );
}

/** Each service's dead letters (the same routes under each service's prefix), a page at a time, with retry. */
function DeadLetters() {
  const { api } = useConsole();
  const queryClient = useQueryClient();
  const pager = usePager();
  const [service, setService] = useState<ServiceName>('dispatch');
  const letters = deadLetters(api, service);
  const list = useQuery({
    queryKey: ['dead-letters', service, pager.cursor],
    refetchInterval: 5000,
    queryFn: () => unwrap(letters.list({ status: 'dead', cursor: pager.cursor })),
  });
  const retry = useMutation({
    mutationFn: (id: string) => unwrap(letters.retry(id)),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: ['dead-letters'] }),
  });
  return (
    <section aria-label="dead letters">
      <h2>Dead letters</h2>
      <Field label="Service">
        <select
          value={service}
          onChange={(e) => {
            setService(e.target.value as ServiceName);
            pager.reset();
          }}
        >
          {(Object.entries(OPERATIONS_PREFIX) as [ServiceName, string][]).map(([s, p]) => (
            <option key={s} value={s}>
              {p}
            </option>
          ))}
        </select>
      </Field>
      <ErrorNote error={list.error ?? retry.error} />
      {retry.data && (
        <p role="status">
          Letter {retry.data.id}: {retry.data.status}.
        </p>
      )}
      <DataTable
        label="dead letters"
        rows={list.data?.data ?? []}
        rowKey={(l) => l.id}
        columns={[
          { header: 'Consumer', cell: (l) => l.consumer },
          { header: 'Kind', cell: (l) => l.kind },
          { header: 'Reason', cell: (l) => l.reason },
          { header: 'Recorded', cell: (l) => when(l.created_at) },
          {
            header: '',
            cell: (l) => (
              <button type="button" onClick={() => retry.mutate(l.id)}>
                Retry
              </button>
            ),
          },
        ]}
      />
      {pager.controls(list.data?.next_cursor)}
    </section>
  );
}

/** A member's subscriptions (read as a token), their deliveries and attempts. */
function Subscriptions() {
  const { minted } = useConsole();
  const [token, setToken] = useState(minted[0]?.token ?? '');
  const [selected, setSelected] = useState<string | null>(null);
  const [delivery, setDelivery] = useState<string | null>(null);
  const pager = usePager();
  const api = token ? apiAsToken(token) : null;
  const queryClient = useQueryClient();
  const subs = useQuery({ queryKey: ['subscriptions', token], enabled: Boolean(api), queryFn: () => unwrap(api!.dispatch.GET('/api/v1/subscriptions')) });
  const deliveries = useQuery({
    queryKey: ['deliveries', token, selected, pager.cursor],
    enabled: Boolean(api && selected),
    refetchInterval: 3000,
    queryFn: () => unwrap(api!.dispatch.GET('/api/v1/subscriptions/{id}/deliveries', { params: { path: { id: selected! }, query: { cursor: pager.cursor } } })),
  });
  const attempts = useQuery({
    queryKey: ['delivery', token, delivery],
    enabled: Boolean(api && delivery),
    queryFn: () => unwrap(api!.dispatch.GET('/api/v1/deliveries/{id}', { params: { path: { id: delivery! } } })),
  });
  const retry = useMutation({
    mutationFn: (id: string) => unwrap(api!.dispatch.POST('/api/v1/deliveries/{id}/retry', { params: { path: { id } } })),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: ['deliveries'] }),
  });
  return (
    <section aria-label="subscriptions">
      <h2>Subscriptions</h2>
      <Field label="As token (zapk_…)">
        <input type="password" autoComplete="off" value={token} onChange={(e) => setToken(e.target.value.trim())} />
      </Field>
      <ErrorNote error={subs.error ?? deliveries.error ?? retry.error} />
      <DataTable
        label="subscriptions"
        rows={subs.data?.data ?? []}
        rowKey={(s) => s.id}
        columns={[
          { header: 'Kind', cell: (s) => s.kind },
          { header: 'URL', cell: (s) => s.url },
          { header: 'Status', cell: (s) => (s.disabled_reason ? `${s.status} (${s.disabled_reason})` : s.status) },
          { header: 'Ordering', cell: (s) => s.ordering },
          {
            header: '',
            cell: (s) => (
              <button
                type="button"
                onClick={() => {
                  setSelected(s.id);
                  setDelivery(null);
                  pager.reset();
                }}
              >
                Deliveries
              </button>
            ),
          },
        ]}
      />
      {selected && (
        <DataTable
          label="deliveries"
          rows={deliveries.data?.data ?? []}
          rowKey={(d) => d.id}
          columns={[
            { header: 'Message', cell: (d) => d.message_id },
            { header: 'Status', cell: (d) => d.status },
            { header: 'Attempts', cell: (d) => d.attempts },
            { header: 'Last answer', cell: (d) => d.last_status_code ?? d.last_error ?? '—' },
            { header: 'Next attempt', cell: (d) => when(d.next_attempt_at) },
            {
              header: '',
              cell: (d) => (
                <span className="actions">
                  <button type="button" onClick={() => setDelivery(d.id)}>
                    Attempts
                  </button>
                  {d.status === 'dead' && (
                    <button type="button" onClick={() => retry.mutate(d.id)}>
                      Retry
                    </button>
                  )}
                </span>
              ),
            },
          ]}
        />
      )}
      {selected && pager.controls(deliveries.data?.next_cursor)}
      {attempts.data && (
        <DataTable
          label="attempts"
          rows={attempts.data.attempts}
          rowKey={(a) => String(a.attempt)}
          columns={[
            { header: 'Attempt', cell: (a) => a.attempt },
            { header: 'Started', cell: (a) => when(a.started_at) },
            { header: 'Took', cell: (a) => (a.duration_ms === null ? '—' : `${a.duration_ms} ms`) },
            { header: 'Answer', cell: (a) => a.status_code ?? a.error ?? '—' },
            { header: 'Body', cell: (a) => <code>{a.response_body ?? ''}</code> },
          ]}
        />
      )}
    </section>
  );
}
