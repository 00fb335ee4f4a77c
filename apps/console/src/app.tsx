import { useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
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

const PAGES = {
  users: { title: 'Users', operator: true, user: false, render: () => <UsersPage /> },
  applications: { title: 'Applications', operator: true, user: false, render: () => <ApplicationsPage /> },
  tokens: { title: 'Tokens', operator: true, user: true, render: () => <TokensPage /> },
  usage: { title: 'Usage', operator: true, user: true, render: () => <UsagePage /> },
  events: { title: 'Events', operator: true, user: false, render: () => <EventsPage /> },
  channels: { title: 'Channels', operator: true, user: true, render: () => <ChannelsPage /> },
  deliveries: { title: 'Deliveries', operator: true, user: true, render: () => <DeliveriesPage /> },
  connections: { title: 'Connections', operator: true, user: false, render: () => <ConnectionsPage /> },
  system: { title: 'System', operator: true, user: false, render: () => <SystemPage /> },
} as const;
type PageName = keyof typeof PAGES;

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
  const allowed = (Object.keys(PAGES) as PageName[]).filter((p) => (ctx.session.kind === 'operator' ? PAGES[p].operator : PAGES[p].user));
  const current: PageName = allowed.includes(page as PageName) ? (page as PageName) : allowed[0];
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
          <span className="who">{ctx.session.kind === 'operator' ? 'operator' : ctx.session.email}</span>
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
