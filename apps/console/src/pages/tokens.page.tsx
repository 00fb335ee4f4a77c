import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { TokenView } from '@zapgate/client';
import { useState, type FormEvent } from 'react';
import { unwrap } from '../api/api';
import { useConsole } from '../api/use-api';
import { go, useHashRoute } from '../components/use-hash-route';
import { DataTable, ErrorNote, Field, SecretOnce, usePager, when } from '../components/ui';

/** An operator sees every token (filtered by user); a signed-in user their own. Same actions either way. */
export function TokensPage() {
  const { api, session, remember } = useConsole();
  const operator = session.kind === 'operator';
  const { params } = useHashRoute();
  const queryClient = useQueryClient();
  const pager = usePager();
  const [userId, setUserId] = useState(params.get('user') ?? '');
  const [status, setStatus] = useState<'' | 'active' | 'revoked' | 'expired'>('');
  const tokens = useQuery({
    queryKey: ['tokens', operator, userId, status, pager.cursor],
    queryFn: async (): Promise<{ data: TokenView[]; next_cursor?: string | null }> =>
      operator
        ? unwrap(
            api.token.GET('/api/v1/admin/tokens', { params: { query: { user_id: userId || undefined, status: status || undefined, cursor: pager.cursor } } }),
          )
        : unwrap(api.token.GET('/api/v1/tokens', { params: { query: { include_revoked: 'true' } } })),
  });
  const [name, setName] = useState('');
  const [grace, setGrace] = useState(0);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['tokens'] });
  const create = useMutation({
    mutationFn: () =>
      operator
        ? unwrap(api.token.POST('/api/v1/admin/users/{userId}/tokens', { params: { path: { userId } }, body: { name } }))
        : unwrap(api.token.POST('/api/v1/tokens', { body: { name } })),
    onSuccess: (t) => {
      remember({ id: t.id, name: t.name, token: t.token });
      setName('');
      refresh();
    },
  });
  const rotate = useMutation({
    mutationFn: (id: string) =>
      operator
        ? unwrap(api.token.POST('/api/v1/admin/tokens/{id}/rotate', { params: { path: { id } }, body: { grace_period_seconds: grace } }))
        : unwrap(api.token.POST('/api/v1/tokens/{id}/rotate', { params: { path: { id } }, body: { grace_period_seconds: grace } })),
    onSuccess: (t) => {
      remember({ id: t.id, name: t.name, token: t.token });
      refresh();
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) =>
      operator
        ? unwrap(api.token.DELETE('/api/v1/admin/tokens/{id}', { params: { path: { id } } }))
        : unwrap(api.token.DELETE('/api/v1/tokens/{id}', { params: { path: { id } } })),
    onSuccess: refresh,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  const shown = create.data ?? rotate.data;

  return (
    <>
      <form className="inline-form" onSubmit={submit} aria-label="create token">
        <h2>New token</h2>
        {operator && (
          <Field label="User id">
            <input required value={userId} onChange={(e) => setUserId(e.target.value.trim())} />
          </Field>
        )}
        <Field label="Token name">
          <input required value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <button type="submit" disabled={create.isPending}>
          Create token
        </button>
      </form>
      <ErrorNote error={create.error ?? rotate.error ?? revoke.error} />
      {shown && <SecretOnce title={`Token "${shown.name}"`} secret={shown.token} />}
      <div className="filters">
        {operator && (
          <Field label="Filter by user id">
            <input
              value={userId}
              onChange={(e) => {
                setUserId(e.target.value.trim());
                pager.reset();
              }}
            />
          </Field>
        )}
        {operator && (
          <Field label="Status">
            <select value={status} onChange={(e) => setStatus(e.target.value as typeof status)}>
              <option value="">all</option>
              <option value="active">active</option>
              <option value="revoked">revoked</option>
              <option value="expired">expired</option>
            </select>
          </Field>
        )}
        <Field label="Grace on rotation (seconds)">
          <input type="number" min={0} value={grace} onChange={(e) => setGrace(Number(e.target.value))} />
        </Field>
      </div>
      <ErrorNote error={tokens.error} />
      <DataTable
        label="tokens"
        rows={tokens.data?.data ?? []}
        rowKey={(t) => t.id}
        columns={[
          { header: 'Name', cell: (t) => t.name },
          { header: 'Token', cell: (t) => <code>{`${t.prefix}…${t.last4}`}</code> },
          { header: 'Scopes', cell: (t) => <span className="scopes">{t.scopes.join(' ')}</span> },
          { header: 'Status', cell: (t) => t.status },
          { header: 'Created', cell: (t) => when(t.created_at) },
          { header: 'Last used', cell: (t) => when(t.last_used_at) },
          { header: 'Last IP', cell: (t) => t.last_used_ip ?? '—' },
          { header: 'Expires', cell: (t) => when(t.expires_at) },
          {
            header: 'Actions',
            cell: (t) => (
              <span className="actions">
                <button type="button" onClick={() => go('usage', { token: t.id })}>
                  Usage
                </button>
                {t.status === 'active' && (
                  <>
                    <button type="button" onClick={() => rotate.mutate(t.id)}>
                      Rotate
                    </button>
                    <button type="button" onClick={() => window.confirm(`Revoke "${t.name}"? It stops working at once.`) && revoke.mutate(t.id)}>
                      Revoke
                    </button>
                  </>
                )}
              </span>
            ),
          },
        ]}
      />
      {operator && pager.controls(tokens.data?.next_cursor)}
    </>
  );
}
