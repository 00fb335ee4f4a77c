/** Who is signed in: an operator (by key), an application's owner (by owner key) or a user (by session). Kept for the tab only. */
export type Session =
  | { kind: 'operator'; adminKey: string }
  | { kind: 'owner'; ownerKey: string; appId: string }
  | { kind: 'user'; sessionToken: string; email: string; userId: string; expiresAt: string };

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
