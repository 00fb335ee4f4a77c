import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { unwrap } from '../api/api';
import { useConsole } from '../api/use-api';
import { go } from '../components/use-hash-route';
import { DataTable, ErrorNote, Field, usePager, when } from '../components/ui';

export function UsersPage() {
  const { api } = useConsole();
  const queryClient = useQueryClient();
  const pager = usePager();
  const [email, setEmail] = useState('');
  const [active, setActive] = useState<'' | 'true' | 'false'>('');
  const users = useQuery({
    queryKey: ['users', email, active, pager.cursor],
    queryFn: () =>
      unwrap(api.token.GET('/api/v1/admin/users', { params: { query: { email: email || undefined, active: active || undefined, cursor: pager.cursor } } })),
  });
  const act = useMutation({
    mutationFn: ({ id, action }: { id: string; action: 'confirm' | 'deactivate' | 'reactivate' }) =>
      unwrap(api.token.POST(`/api/v1/admin/users/{userId}/${action}`, { params: { path: { userId: id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['users'] }),
  });

  return (
    <>
      <CreateUser />
      <section aria-label="user list">
        <div className="filters">
          <Field label="E-mail contains">
            <input
              type="search"
              value={email}
              onChange={(e) => {
                setEmail(e.target.value);
                pager.reset();
              }}
            />
          </Field>
          <Field label="Status">
            <select value={active} onChange={(e) => setActive(e.target.value as typeof active)}>
              <option value="">all</option>
              <option value="true">active</option>
              <option value="false">deactivated</option>
            </select>
          </Field>
        </div>
        <ErrorNote error={users.error ?? act.error} />
        <DataTable
          label="users"
          rows={users.data?.data ?? []}
          rowKey={(u) => u.id}
          columns={[
            { header: 'E-mail', cell: (u) => u.email },
            { header: 'Name', cell: (u) => u.display_name },
            { header: 'Confirmed', cell: (u) => (u.confirmed ? 'yes' : 'no') },
            { header: 'Status', cell: (u) => (u.active ? 'active' : 'deactivated') },
            { header: 'Created', cell: (u) => when(u.created_at) },
            {
              header: 'Actions',
              cell: (u) => (
                <span className="actions">
                  {!u.confirmed && (
                    <button type="button" onClick={() => act.mutate({ id: u.id, action: 'confirm' })}>
                      Confirm
                    </button>
                  )}
                  {u.active ? (
                    <button type="button" onClick={() => act.mutate({ id: u.id, action: 'deactivate' })}>
                      Deactivate
                    </button>
                  ) : (
                    <button type="button" onClick={() => act.mutate({ id: u.id, action: 'reactivate' })}>
                      Reactivate
                    </button>
                  )}
                  <button type="button" onClick={() => go('tokens', { user: u.id })}>
                    Tokens
                  </button>
                  <button type="button" onClick={() => go('usage', { user: u.id })}>
                    Usage
                  </button>
                </span>
              ),
            },
          ]}
        />
        {pager.controls(users.data?.next_cursor)}
      </section>
    </>
  );
}

function CreateUser() {
  const { api } = useConsole();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const create = useMutation({
    mutationFn: () => unwrap(api.token.POST('/api/v1/admin/users', { body: { email, display_name: name, password: password || undefined } })),
    onSuccess: () => {
      setEmail('');
      setName('');
      setPassword('');
      void queryClient.invalidateQueries({ queryKey: ['users'] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <form className="inline-form" onSubmit={submit} aria-label="create user">
      <h2>New user</h2>
      <Field label="E-mail">
        <input type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
      </Field>
      <Field label="Display name">
        <input required value={name} onChange={(e) => setName(e.target.value)} />
      </Field>
      <Field label="Password (optional)">
        <input type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />
      </Field>
      <button type="submit" disabled={create.isPending}>
        Create user
      </button>
      <ErrorNote error={create.error} />
      {create.data && <p role="status">Created {create.data.email}.</p>}
    </form>
  );
}
