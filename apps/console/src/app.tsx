import { useQueryClient } from '@tanstack/react-query';
import { useMemo, useState, type JSX } from 'react';
import { apiFor } from './api/api';
import { loadSession, saveSession, type Session } from './api/session';
import { ConsoleCtx, type ConsoleContext } from './api/use-api';
import { useHashRoute } from './components/use-hash-route';
import { ApplicationsPage } from './pages/applications.page';
import { ChannelsPage } from './pages/channels.page';
import { ConnectionsPage } from './pages/connections.page';
import { DeliveriesPage } from './pages/deliveries.page';
import { EventsPage } from './pages/events.page';
import { SignInPage } from './pages/sign-in.page';
import { SystemPage } from './pages/system.page';
import { TokensPage } from './pages/tokens.page';
import { UsagePage } from './pages/usage.page';
import { UsersPage } from './pages/users.page';

type Role = Session['kind'];
/** Which pages each kind of sign-in sees: what its credential may call. */
const PAGES: Record<string, { title: string; roles: Role[]; render: () => JSX.Element }> = {
  users: { title: 'Users', roles: ['operator'], render: () => <UsersPage /> },
  applications: { title: 'Applications', roles: ['operator', 'owner'], render: () => <ApplicationsPage /> },
  tokens: { title: 'Tokens', roles: ['operator', 'user'], render: () => <TokensPage /> },
  usage: { title: 'Usage', roles: ['operator', 'user'], render: () => <UsagePage /> },
  events: { title: 'Events', roles: ['operator', 'owner'], render: () => <EventsPage /> },
  channels: { title: 'Channels', roles: ['operator', 'user'], render: () => <ChannelsPage /> },
  deliveries: { title: 'Deliveries', roles: ['operator', 'user'], render: () => <DeliveriesPage /> },
  connections: { title: 'Connections', roles: ['operator', 'owner'], render: () => <ConnectionsPage /> },
  system: { title: 'System', roles: ['operator'], render: () => <SystemPage /> },
};
type PageName = string;

export function App() {
  const [session, setSession] = useState<Session | null>(loadSession);
  const [minted, setMinted] = useState<ConsoleContext['minted']>([]);
  const queryClient = useQueryClient();
  const { page } = useHashRoute();
  const ctx = useMemo<ConsoleContext | null>(
    () =>
      session && {
        api: apiFor(session),
        session,
        minted,
        remember: (t) => setMinted((list) => [t, ...list.filter((m) => m.id !== t.id)]),
        signOut: () => {
          saveSession(null);
          setSession(null);
          setMinted([]);
          queryClient.clear();
        },
      },
    [session, minted, queryClient],
  );

  if (!ctx) {
    return (
      <SignInPage
        onSignedIn={(s) => {
          saveSession(s);
          setSession(s);
        }}
      />
    );
  }
  const allowed = Object.keys(PAGES).filter((p) => PAGES[p].roles.includes(ctx.session.kind));
  const current: PageName = allowed.includes(page) ? page : allowed[0];
  return (
    <ConsoleCtx.Provider value={ctx}>
      <div className="layout">
        <header>
          <a className="brand" href="#/">
            Zapgate
          </a>
          <nav aria-label="console">
            {allowed.map((p) => (
              <a key={p} href={`#/${p}`} aria-current={p === current ? 'page' : undefined}>
                {PAGES[p].title}
              </a>
            ))}
          </nav>
          <span className="who">{ctx.session.kind === 'user' ? ctx.session.email : ctx.session.kind === 'owner' ? 'application owner' : 'operator'}</span>
          <button type="button" onClick={ctx.signOut}>
            Sign out
          </button>
        </header>
        <main>
          <h1>{PAGES[current].title}</h1>
          {PAGES[current].render()}
        </main>
      </div>
    </ConsoleCtx.Provider>
  );
}
