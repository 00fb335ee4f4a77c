import { useState, type FormEvent } from 'react';
import { apiFor, unwrap } from '../api/api';
import type { Session } from '../api/session';
import { ErrorNote, Field } from '../components/ui';

/** An operator signs in with the admin key (the start banner says where it is); a user with e-mail and password. */
export function SignInPage({ onSignedIn }: { onSignedIn(session: Session): void }) {
  const [adminKey, setAdminKey] = useState('');
  const [appId, setAppId] = useState('');
  const [ownerKey, setOwnerKey] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  /** A form's submit: its check, then the session, or the API's refusal on the page. */
  const submit = (check: () => Promise<Session>) => async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await check());
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const asOperator = submit(async () => {
    const session: Session = { kind: 'operator', adminKey: adminKey.trim() };
    // Any operator route checks the key; the smallest page of users is the cheapest.
    await unwrap(apiFor(session).token.GET('/api/v1/admin/users', { params: { query: { limit: 1 } } }));
    return session;
  });
  const asOwner = submit(async () => {
    const session: Session = { kind: 'owner', ownerKey: ownerKey.trim(), appId: appId.trim() };
    // The owner key opens its application's token list and nothing else: the check is that list.
    await unwrap(apiFor(session).token.GET('/api/v1/applications/{appId}/tokens', { params: { path: { appId: session.appId }, query: { limit: 1 } } }));
    return session;
  });
  const asUser = submit(async () => {
    const s = await unwrap(apiFor(null).token.POST('/api/v1/sessions', { body: { email, password } }));
    return { kind: 'user', sessionToken: s.session_token, email: s.user.email, userId: s.user.id, expiresAt: s.expires_at };
  });

  return (
    <main className="sign-in">
      <h1>Zapgate console</h1>
      <ErrorNote error={error} />
      <div className="cards">
        <form onSubmit={asOperator} aria-label="operator sign-in">
          <h2>Operator</h2>
          <Field label="Admin key">
            <input type="password" autoComplete="off" required value={adminKey} onChange={(e) => setAdminKey(e.target.value)} />
          </Field>
          <p className="hint">ADMIN_API_KEY in .zapgate/local.env, or a named operator key.</p>
          <button type="submit" disabled={busy}>
            Sign in as operator
          </button>
        </form>
        <form onSubmit={asOwner} aria-label="owner sign-in">
          <h2>Application owner</h2>
          <Field label="Application id">
            <input required value={appId} onChange={(e) => setAppId(e.target.value)} />
          </Field>
          <Field label="Owner key">
            <input type="password" autoComplete="off" required value={ownerKey} onChange={(e) => setOwnerKey(e.target.value)} />
          </Field>
          <button type="submit" disabled={busy}>
            Sign in as owner
          </button>
        </form>
        <form onSubmit={asUser} aria-label="user sign-in">
          <h2>User</h2>
          <Field label="E-mail">
            <input type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
          </Field>
          <Field label="Password">
            <input type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
          </Field>
          <button type="submit" disabled={busy}>
            Sign in
          </button>
        </form>
      </div>
    </main>
  );
}
