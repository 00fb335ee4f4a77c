import { createContext, useContext } from 'react';
import type { Api } from './api';
import type { Session } from './session';

export interface ConsoleContext {
  api: Api;
  session: Session;
  signOut(): void;
  /** Tokens minted in this tab, kept in memory only: the channel view can read as one of them. */
  minted: { id: string; name: string; token: string }[];
  remember(token: { id: string; name: string; token: string }): void;
}

export const ConsoleCtx = createContext<ConsoleContext | null>(null);

export function useConsole(): ConsoleContext {
  const ctx = useContext(ConsoleCtx);
  if (!ctx) throw new Error('useConsole outside the console');
  return ctx;
}
