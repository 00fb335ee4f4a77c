import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { unwrap } from '../api/api';
import { useConsole } from '../api/use-api';
import { go, useHashRoute } from '../components/use-hash-route';
import { CopyButton, DataTable, ErrorNote, Field, SecretOnce, usePager, when } from '../components/ui';

export function ApplicationsPage() {
  const { session } = useConsole();
  return session.kind === 'owner' ? <OwnedApplication appId={session.appId} /> : <AllApplications />;
}

/** An owner's view: its users' tokens (revoke any), and the secret its handlers are called with. */
function OwnedApplication({ appId }: { appId: string }) {
  const { api } = useConsole();
  const queryClient = useQueryClient();
  const pager = usePager();
  const tokens = useQuery({
    queryKey: ['application-tokens', appId, pager.cursor],
    queryFn: () => unwrap(api.token.GET('/api/v1/applications/{appId}/tokens', { params: { path: { appId }, query: { cursor: pager.cursor } } })),
  });
  const secret = useQuery({
    queryKey: ['handler-secret', appId],
    queryFn: () => unwrap(api.dispatch.GET('/api/v1/applications/{appId}/handler-secret', { params: { path: { appId } } })),
  });
  const revoke = useMutation({
    mutationFn: (tokenId: string) => unwrap(api.token.DELETE('/api/v1/applications/{appId}/tokens/{tokenId}', { params: { path: { appId, tokenId } } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['application-tokens', appId] }),
  });
  return (
    <>
      <section aria-label="handler secret">
        <h2>Handler signing secret</h2>
        <ErrorNote error={secret.error} />
        {secret.data && (
          <p>
            Calls to your handlers are signed ({secret.data.scheme}) with <code>{secret.data.secret.slice(0, 10)}…</code>{' '}
            <CopyButton text={secret.data.secret} />
          </p>
        )}
      </section>
      <section aria-label="application tokens">
        <h2>Your users' tokens</h2>
        <ErrorNote error={tokens.error ?? revoke.error} />
        <DataTable
          label="application tokens"
          rows={tokens.data?.data ?? []}
          rowKey={(t) => t.id}
          columns={[
            { header: 'Name', cell: (t) => t.name },
            { header: 'Status', cell: (t) => t.status },
            { header: 'Created', cell: (t) => when(t.created_at) },
            { header: 'Last used', cell: (t) => when(t.last_used_at) },
            {
              header: '',
              cell: (t) =>
                t.status === 'active' && (
                  <button type="button" onClick={() => window.confirm(`Revoke "${t.name}"?`) && revoke.mutate(t.id)}>
                    Revoke
                  </button>
                ),
            },
          ]}
        />
        {pager.controls(tokens.data?.next_cursor)}
      </section>
    </>
  );
}

function AllApplications() {
  const { api } = useConsole();
  const { params } = useHashRoute();
  const pager = usePager();
  const apps = useQuery({
    queryKey: ['applications', pager.cursor],
    queryFn: () => unwrap(api.token.GET('/api/v1/admin/applications', { params: { query: { cursor: pager.cursor } } })),
  });
  const selected = params.get('app');
  return (
    <>
      <CreateApplication />
      <ErrorNote error={apps.error} />
      <DataTable
        label="applications"
        rows={apps.data?.data ?? []}
        rowKey={(a) => a.id}
        columns={[
          { header: 'Name', cell: (a) => <a href={`#/applications?app=${a.id}`}>{a.name}</a> },
          { header: 'Owner', cell: (a) => a.owner_email },
          { header: 'Incoming handler', cell: (a) => a.handler_urls.incoming ?? '—' },
          { header: 'Tokens per user', cell: (a) => a.max_tokens_per_user },
          { header: 'Created', cell: (a) => when(a.created_at) },
        ]}
      />
      {pager.controls(apps.data?.next_cursor)}
      {selected && <ApplicationDetail appId={selected} />}
    </>
  );
}

function CreateApplication() {
  const { api } = useConsole();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [owner, setOwner] = useState('');
  const [incoming, setIncoming] = useState('');
  const create = useMutation({
    mutationFn: () =>
      unwrap(
        api.token.POST('/api/v1/admin/applications', {
          body: { name, owner_email: owner, handler_urls: incoming ? { incoming } : {}, max_tokens_per_user: 5 },
        }),
      ),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['applications'] }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <form className="inline-form" onSubmit={submit} aria-label="create application">
      <h2>New application</h2>
      <Field label="Name">
        <input required value={name} onChange={(e) => setName(e.target.value)} />
      </Field>
      <Field label="Owner e-mail">
        <input type="email" required value={owner} onChange={(e) => setOwner(e.target.value)} />
      </Field>
      <Field label="Incoming handler URL (optional)">
        <input type="url" value={incoming} onChange={(e) => setIncoming(e.target.value)} />
      </Field>
      <button type="submit" disabled={create.isPending}>
        Create application
      </button>
      <ErrorNote error={create.error} />
      {create.data && (
        <>
          <SecretOnce title={`Appkey of ${create.data.name}`} secret={create.data.appkey} />
          <SecretOnce title="Owner key" secret={create.data.owner_key} />
        </>
      )}
    </form>
  );
}

function ApplicationDetail({ appId }: { appId: string }) {
  const { api } = useConsole();
  const queryClient = useQueryClient();
  const app = useQuery({
    queryKey: ['application', appId],
    queryFn: () => unwrap(api.token.GET('/api/v1/admin/applications/{appId}', { params: { path: { appId } } })),
  });
  const tokens = useQuery({
    queryKey: ['application-tokens', appId],
    queryFn: () => unwrap(api.token.GET('/api/v1/applications/{appId}/tokens', { params: { path: { appId } } })),
  });
  const [incoming, setIncoming] = useState<string | null>(null);
  const [fn, setFn] = useState<string | null>(null);
  const update = useMutation({
    mutationFn: () =>
      unwrap(
        api.token.PATCH('/api/v1/admin/applications/{appId}', {
          params: { path: { appId } },
          body: {
            handler_urls: {
              incoming: (incoming ?? app.data?.handler_urls.incoming) || undefined,
              function: (fn ?? app.data?.handler_urls.function) || undefined,
            },
          },
        }),
      ),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['application', appId] }),
  });
  const rotateAppkey = useMutation({
    mutationFn: () => unwrap(api.token.POST('/api/v1/admin/applications/{appId}/appkey/rotate', { params: { path: { appId } } })),
  });
  const rotateOwner = useMutation({
    mutationFn: () => unwrap(api.token.POST('/api/v1/admin/applications/{appId}/owner-key/rotate', { params: { path: { appId } } })),
  });
  const [scheme, setScheme] = useState<'github' | 'gitlab' | 'standard-webhooks'>('github');
  const [secret, setSecret] = useState('');
  const verification = useQuery({
    queryKey: ['verification', appId],
    queryFn: async () => {
      const r = await api.ingest.GET('/api/v1/admin/sender-verification/{kind}/{id}', { params: { path: { kind: 'application', id: appId } } });
      return r.response.status === 404 ? null : unwrap(Promise.resolve(r));
    },
  });
  const setVerification = useMutation({
    mutationFn: () =>
      unwrap(
        api.ingest.PUT('/api/v1/admin/sender-verification/{kind}/{id}', {
          params: { path: { kind: 'application', id: appId } },
          body: { scheme, secrets: [secret] } as never,
        }),
      ),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['verification', appId] }),
  });
  if (!app.data) return <ErrorNote error={app.error} />;
  return (
    <section className="detail" aria-label="application detail">
      <h2>{app.data.name}</h2>
      <p>
        Appkey <code>{app.data.appkey_prefix}…</code> · owner key <code>{app.data.owner_key_prefix ?? 'none'}…</code>
      </p>
      <form
        className="inline-form"
        aria-label="handler URLs"
        onSubmit={(e) => {
          e.preventDefault();
          update.mutate();
        }}
      >
        <Field label="Incoming handler URL">
          <input type="url" value={incoming ?? app.data.handler_urls.incoming ?? ''} onChange={(e) => setIncoming(e.target.value)} />
        </Field>
        <Field label="Function handler URL">
          <input type="url" value={fn ?? app.data.handler_urls.function ?? ''} onChange={(e) => setFn(e.target.value)} />
        </Field>
        <button type="submit">Save handler URLs</button>
        <ErrorNote error={update.error} />
      </form>
      <div className="actions">
        <button type="button" onClick={() => rotateAppkey.mutate()}>
          Rotate appkey
        </button>
        <button type="button" onClick={() => rotateOwner.mutate()}>
          Rotate owner key
        </button>
      </div>
      <ErrorNote error={rotateAppkey.error ?? rotateOwner.error} />
      {rotateAppkey.data && <SecretOnce title="New appkey" secret={rotateAppkey.data.appkey} />}
      {rotateOwner.data && <SecretOnce title="New owner key" secret={rotateOwner.data.owner_key} />}
      <form
        className="inline-form"
        aria-label="sender verification"
        onSubmit={(e) => {
          e.preventDefault();
          setVerification.mutate();
        }}
      >
        <h3>Sender verification</h3>
        <p>{verification.data ? `${verification.data.scheme}, ${verification.data.secrets} secret(s)` : 'No signature required.'}</p>
        <Field label="Scheme">
          <select value={scheme} onChange={(e) => setScheme(e.target.value as typeof scheme)}>
            <option value="github">GitHub</option>
            <option value="gitlab">GitLab</option>
            <option value="standard-webhooks">Standard Webhooks</option>
          </select>
        </Field>
        <Field label="Secret">
          <input type="password" autoComplete="off" required value={secret} onChange={(e) => setSecret(e.target.value)} />
        </Field>
        <button type="submit">Require this signature</button>
        <ErrorNote error={setVerification.error} />
      </form>
      <h3>Its users' tokens</h3>
      <ErrorNote error={tokens.error} />
      <DataTable
        label="application tokens"
        rows={tokens.data?.data ?? []}
        rowKey={(t) => t.id}
        columns={[
          { header: 'Name', cell: (t) => t.name },
          { header: 'Status', cell: (t) => t.status },
          { header: 'Last used', cell: (t) => when(t.last_used_at) },
          {
            header: '',
            cell: (t) => (
              <button type="button" onClick={() => go('usage', { token: t.id })}>
                Usage
              </button>
            ),
          },
        ]}
      />
    </section>
  );
}
