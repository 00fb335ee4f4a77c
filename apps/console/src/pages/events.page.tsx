import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { unwrap } from '../api/api';
import { useConsole } from '../api/use-api';
import { useHashRoute, go } from '../components/use-hash-route';
import { DataTable, ErrorNote, Field, usePager, when } from '../components/ui';

const SOURCES = ['channel-post', 'bot-message', 'chat-message', 'buddy-message', 'application-incoming', 'bot-incoming'];

export function EventsPage() {
  const { api, session } = useConsole();
  const { params } = useHashRoute();
  const pager = usePager();
  // An owner sees its own application's events only.
  const [app, setApp] = useState(session.kind === 'owner' ? session.appId : '');
  const [status, setStatus] = useState('');
  const [source, setSource] = useState('');
  const [from, setFrom] = useState('');
  const events = useQuery({
    queryKey: ['events', app, status, source, from, pager.cursor],
    // New events show up without a reload.
    refetchInterval: 2000,
    queryFn: () =>
      unwrap(
        api.ingest.GET('/api/v1/events', {
          params: {
            query: {
              app_id: app || undefined,
              status: status || undefined,
              source: source || undefined,
              from: from ? new Date(from).toISOString() : undefined,
              cursor: pager.cursor,
            },
          },
        }),
      ),
  });
  const selected = params.get('event');
  return (
    <>
      <div className="filters">
        <Field label="Application id">
          <input value={app} disabled={session.kind === 'owner'} onChange={(e) => setApp(e.target.value.trim())} />
        </Field>
        <Field label="Status">
          <select value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">all</option>
            {['received', 'stored', 'delivered', 'handled', 'failed', 'dead'].map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </Field>
        <Field label="Source">
          <select value={source} onChange={(e) => setSource(e.target.value)}>
            <option value="">all</option>
            {SOURCES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </Field>
        <Field label="Since">
          <input type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} />
        </Field>
      </div>
      <ErrorNote error={events.error} />
      <DataTable
        label="events"
        rows={events.data?.data ?? []}
        rowKey={(e) => e.event_id}
        columns={[
          { header: 'Received', cell: (e) => when(e.received_at) },
          { header: 'Source', cell: (e) => e.source },
          { header: 'Target', cell: (e) => Object.values(e.target).slice(1).join(' ') },
          { header: 'Status', cell: (e) => <span className={`status status-${e.status}`}>{e.status}</span> },
          { header: 'Attempts', cell: (e) => e.dispatch_attempts },
          {
            header: 'Event',
            cell: (e) => (
              <button type="button" onClick={() => go('events', { event: e.event_id })}>
                Details
              </button>
            ),
          },
        ]}
      />
      {pager.controls(events.data?.next_cursor)}
      <ReplaySince />
      {selected && <EventDetail eventId={selected} />}
    </>
  );
}

function EventDetail({ eventId }: { eventId: string }) {
  const { api } = useConsole();
  const event = useQuery({
    queryKey: ['event', eventId],
    queryFn: () => unwrap(api.ingest.GET('/api/v1/events/{eventId}', { params: { path: { eventId } } })),
  });
  const replay = useMutation({ mutationFn: () => unwrap(api.ingest.POST('/api/v1/events/{eventId}/replay', { params: { path: { eventId } } })) });
  if (!event.data) return <ErrorNote error={event.error} />;
  const e = event.data;
  return (
    <section className="detail" aria-label="event detail">
      <h2>Event {e.event_id}</h2>
      <dl>
        <dt>Status</dt>
        <dd>{e.status}</dd>
        <dt>Attempts</dt>
        <dd>{e.dispatch_attempts}</dd>
        <dt>Outcome</dt>
        <dd>{e.error ? `${e.error.code}: ${e.error.message}` : e.message_ids.length ? `messages ${e.message_ids.join(', ')}` : '—'}</dd>
        <dt>Handler</dt>
        <dd>{e.handler ? `HTTP ${e.handler.status ?? '—'} in ${e.handler.durationMs} ms` : '—'}</dd>
        <dt>Sender</dt>
        <dd>{e.sender ? `${e.sender.scheme} ${e.sender.event ?? ''}` : '—'}</dd>
      </dl>
      {e.request && (
        <>
          <h3>Request</h3>
          <pre>{JSON.stringify(e.request.headers, null, 2)}</pre>
          <pre>{e.request.body ?? `(body purged ${when(e.body_purged_at)})`}</pre>
        </>
      )}
      {e.message && (
        <>
          <h3>Message</h3>
          <pre>{JSON.stringify(e.message, null, 2)}</pre>
        </>
      )}
      <button type="button" onClick={() => replay.mutate()} disabled={replay.isPending}>
        Replay this event
      </button>
      <ErrorNote error={replay.error} />
      {replay.data && <p role="status">Replayed as {replay.data.event_id}.</p>}
    </section>
  );
}

function ReplaySince() {
  const { api } = useConsole();
  const [since, setSince] = useState('');
  const replay = useMutation({ mutationFn: () => unwrap(api.ingest.POST('/api/v1/events/replay', { body: { since: new Date(since).toISOString() } })) });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    replay.mutate();
  };
  return (
    <form className="inline-form" onSubmit={submit} aria-label="replay since">
      <h2>Replay since</h2>
      <Field label="Every event received since">
        <input type="datetime-local" required value={since} onChange={(e) => setSince(e.target.value)} />
      </Field>
      <button type="submit">Replay</button>
      <ErrorNote error={replay.error} />
      {replay.data && (
        <p role="status">
          Replayed {replay.data.replayed}
          {replay.data.truncated ? ' (more remain: run again)' : ''}.
        </p>
      )}
    </form>
  );
}
