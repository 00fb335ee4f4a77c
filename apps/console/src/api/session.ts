/** Who is signed in: an operator (by key) or a user (by session). Kept for the tab only. */
export type Session = { kind: 'operator'; adminKey: string } | { kind: 'user'; sessionToken: string; email: string; userId: string; expiresAt: string };

const KEY = 'zapgate.console.session';

export function loadSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

export function saveSession(session: Session | null): void {
  if (session) sessionStorage.setItem(KEY, JSON.stringify(session));
  else sessionStorage.removeItem(KEY);
}
