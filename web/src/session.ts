// The signed-in state shared by every page: the API client (holding the in-memory signing key),
// who is signed in, and what the key may do.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

import type { ApiClient } from './api/client';
import type { KeyIdentity } from './api/credentials';
import type { AccountInfo, RoleView } from './api/types';

export interface Session {
  api: ApiClient;
  identity: KeyIdentity;
  account: AccountInfo;
  roles: RoleView[];
  // Whether the key may call `method`: the server's own answer (GetAccountInfo access_entries),
  // so the panel never guesses the role table.
  can: (method: string) => boolean;
  notify: (message: string) => void;
  // Reads GetAccountInfo again (after the key's roles changed).
  refresh: () => Promise<void>;
  // Forgets the key and shows the sign-in page.
  signOut: () => void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === null) throw new Error('useSession() outside a signed-in page');
  return session;
}

export const roleNames = (roles: RoleView[]): string =>
  roles.length === 0 ? 'no roles' : roles.map((r) => r.role_name).join(', ');

// Why a control is disabled, for the person (shown next to it; also its title).
export function notAllowed(session: Session, what: string): string {
  return `Your key (${roleNames(session.roles)}) may not ${what}.`;
}

// notAllowed(session, what) when the key may not call `method`; undefined when it may.
export function deniedNote(session: Session, method: string, what: string): string | undefined {
  return session.can(method) ? undefined : notAllowed(session, what);
}
