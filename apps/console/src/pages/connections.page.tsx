import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { unwrap } from '../api/api';
import { useConsole } from '../api/use-api';
import { CopyButton, DataTable, ErrorNote, Field, when } from '../components/ui';

export function ConnectionsPage() {
  const { api, session } = useConsole();
  // An owner key opens its application's connectors and connections, named by ?app_id= (OwnerAccessGuard).
  const scope = session.kind === 'owner' ? ({ app_id: session.appId } as Record<string, string>) : {};
  const connectors = useQuery({ queryKey: ['connectors'], queryFn: () => unwrap(api.oauth.GET('/api/v1/connectors', { params: { query: scope as never } })) });
  const connections = useQuery({
    queryKey: ['connections'],
    refetchInterval: 5000,
    queryFn: () => unwrap(api.oauth.GET('/api/v1/connections', { params: { query: scope } })),
  });
  const [connector, setConnector] = useState('');
  const [user, setUser] = useState('');
  const link = useMutation({
    mutationFn: () =>
      unwrap(api.oauth.POST('/api/v1/connectors/{id}/authorize-links', { params: { path: { id: connector }, query: scope as never }, body: { user } })),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    link.mutate();
  };
  return (
    <>
      <section aria-label="connectors">
        <h2>Connectors</h2>
        <ErrorNote error={connectors.error} />
        <DataTable
          label="connectors"
          rows={connectors.data?.data ?? []}
          rowKey={(c) => c.id}
          columns={[
            { header: 'Name', cell: (c) => c.name },
            { header: 'Preset', cell: (c) => c.preset },
            { header: 'Scopes', cell: (c) => c.scopes.join(' ') },
            { header: 'Created', cell: (c) => when(c.created_at) },
          ]}
        />
      </section>
      <form className="inline-form" onSubmit={submit} aria-label="authorize link">
        <h2>Authorize link</h2>
        <Field label="Connector">
          <select required value={connector} onChange={(e) => setConnector(e.target.value)}>
            <option value="">choose…</option>
            {(connectors.data?.data ?? []).map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </Field>
        <Field label="For user (your reference)">
          <input required value={user} onChange={(e) => setUser(e.target.value)} />
        </Field>
        <button type="submit">Make a link</button>
        <ErrorNote error={link.error} />
        {link.data && (
          <p role="status">
            <a href={link.data.url}>{link.data.url}</a> <CopyButton text={link.data.url} /> (until {when(link.data.expires_at)})
          </p>
        )}
      </form>
      <section aria-label="connections">
        <h2>Connections</h2>
        <ErrorNote error={connections.error} />
        <DataTable
          label="connections"
          rows={connections.data?.data ?? []}
          rowKey={(c) => c.id}
          columns={[
            { header: 'User', cell: (c) => c.user },
            { header: 'Status', cell: (c) => (c.status === 'reauth_required' ? <strong>re-authorization needed</strong> : c.status) },
            { header: 'Expires', cell: (c) => when(c.expires_at) },
            { header: 'Next refresh', cell: (c) => when(c.next_refresh_at) },
            { header: 'Last error', cell: (c) => c.last_error?.message ?? '—' },
          ]}
        />
      </section>
    </>
  );
}
