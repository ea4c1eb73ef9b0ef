// The panel's frame: sign-in, then the header (account, key roles, Sign out), the navigation and
// the page of the current route; notices; and signing in again without leaving the page when the
// server stops accepting the key.
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';

import { ApiClient, type ApiError } from './api/client';
import { explain } from './api/errors';
import { Dialog, DialogForm } from './components/Dialog';
import { hasUnsavedInput } from './lib/unsaved';
import { hrefFor, useHashRoute, type RouteMatch } from './lib/router';
import { ApplicationsPage } from './pages/Applications';
import { AuditPage } from './pages/Audit';
import { KeysPage } from './pages/Keys';
import { SecretsPage } from './pages/Secrets';
import { SignInForm, SignInPage } from './pages/SignIn';
import { roleNames, SessionContext, type Session } from './session';
import type { SignedIn } from './signin';
import type { AccountInfo } from './api/types';

interface Notice {
  id: number;
  text: string;
}

interface Reauth {
  error: ApiError;
  resolve: (ok: boolean) => void;
}

export function App() {
  const [signed, setSigned] = useState<SignedIn | null>(null);
  const [notices, setNotices] = useState<Notice[]>([]);
  const [reauth, setReauth] = useState<Reauth | null>(null);
  const [askSignOut, setAskSignOut] = useState(false);
  const pendingReauth = useRef<Promise<boolean> | null>(null);
  const signOutRef = useRef<() => void>(() => {});
  const route = useHashRoute();

  const notify = useCallback((text: string) => {
    const id = Date.now() + Math.random();
    setNotices((list) => [...list.slice(-2), { id, text }]);
    window.setTimeout(() => setNotices((list) => list.filter((n) => n.id !== id)), 6000);
  }, []);

  // One ApiClient per sign-in; a refused key (100) opens the sign-in-again dialog once for all
  // the calls that were refused together.
  const api = useMemo(() => {
    if (signed === null) return null;
    return new ApiClient(signed.signer, (error) => {
      if (pendingReauth.current === null) {
        pendingReauth.current = new Promise<boolean>((resolve) => {
          setReauth({ error, resolve });
        }).finally(() => {
          pendingReauth.current = null;
        });
      }
      return pendingReauth.current;
    });
    // A new client only when a different person signs in, not when the key is renewed.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [signed?.identity.accountId, signed === null]);

  const session = useMemo<Session | null>(() => {
    if (signed === null || api === null) return null;
    const entries = signed.account.access_entries;
    const allowed = entries === undefined ? null : new Set(entries);
    return {
      api,
      identity: signed.identity,
      account: signed.account,
      roles: signed.account.key?.roles ?? [],
      can: (method: string) => allowed === null || allowed.has(method),
      notify,
      refresh: async () => {
        try {
          const answer = await api.call<{ result: AccountInfo }>('GetAccountInfo');
          setSigned((old) => (old === null ? old : { ...old, account: answer.result }));
        } catch (error) {
          notify(`Could not read the key's new roles: ${explain(error)}`);
        }
      },
      signOut: () => signOutRef.current(),
    };
  }, [signed, api, notify]);

  const signOut = () => {
    setAskSignOut(false);
    setSigned(null); // drops the only reference to the signing key
    setReauth(null);
    if (window.location.hash !== '') {
      window.history.replaceState(null, '', window.location.pathname);
    }
    document.title = 'Sign in · voxsecrets';
  };

  signOutRef.current = signOut;

  useEffect(() => {
    if (signed === null) document.title = 'Sign in · voxsecrets';
  }, [signed]);

  if (signed === null || session === null) {
    return (
      <SignInPage
        onSignedIn={(result) => {
          setSigned(result);
          return undefined;
        }}
      />
    );
  }

  return (
    <SessionContext.Provider value={session}>
      <Header
        route={route}
        session={session}
        onSignOut={() => (hasUnsavedInput() ? setAskSignOut(true) : signOut())}
      />
      <main id="main" tabIndex={-1}>
        <Page route={route} key={routeKey(route)} />
      </main>
      <div class="notices" role="status" aria-live="polite">
        {notices.map((n) => (
          <p key={n.id} class="notice">
            {n.text}
          </p>
        ))}
      </div>
      {reauth !== null && (
        <Dialog title="Sign in again" onClose={() => finishReauth(false)}>
          <div class="dialog__body">
            <p>
              The server no longer accepts the key this tab signed in with: {explain(reauth.error)}
            </p>
            <p>
              Pick a credentials file of account <strong>{session.account.account_name}</strong> to
              go on. Everything on the page stays as it is; the refused action is tried again.
            </p>
            <SignInForm
              autofocus
              onSignedIn={(result) => {
                if (result.identity.accountId !== signed.identity.accountId) {
                  return `This file is for another account (${result.account.account_name}). Sign out to switch accounts.`;
                }
                session.api.replaceSigner(result.signer);
                setSigned({ ...result });
                finishReauth(true);
                return undefined;
              }}
              extraActions={
                <button type="button" onClick={() => finishReauth(false)}>
                  Cancel
                </button>
              }
            />
          </div>
        </Dialog>
      )}
      {askSignOut && (
        <Dialog title="Sign out?" onClose={() => setAskSignOut(false)}>
          <DialogForm
            submitLabel="Sign out"
            danger
            busy={false}
            onCancel={() => setAskSignOut(false)}
            onSubmit={signOut}
            cancelLabel="Keep editing"
          >
            <p>You have unsaved changes. Signing out discards them.</p>
          </DialogForm>
        </Dialog>
      )}
    </SessionContext.Provider>
  );

  function finishReauth(ok: boolean) {
    reauth?.resolve(ok);
    setReauth(null);
  }
}

function routeKey(route: RouteMatch): string {
  return route.page === 'secrets' ? `secrets-${route.applicationId}` : route.page;
}

function Page(props: { route: RouteMatch }) {
  const { route } = props;
  useEffect(() => {
    // A new page: move focus to it, so keyboard and screen-reader users start at its top.
    document.getElementById('main')?.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }, []);
  switch (route.page) {
    case 'applications':
      return <ApplicationsPage />;
    case 'secrets':
      return <SecretsPage applicationId={route.applicationId} />;
    case 'keys':
      return <KeysPage />;
    case 'audit':
      return <AuditPage />;
    default:
      return (
        <section class="page">
          <h1>Page not found</h1>
          <p>
            There is no page at <code>{route.path}</code>.{' '}
            <a href={hrefFor.applications}>Go to Applications</a>.
          </p>
        </section>
      );
  }
}

function Header(props: { route: RouteMatch; session: Session; onSignOut: () => void }) {
  const { route, session } = props;
  const current = (page: string) =>
    route.page === page || (page === 'applications' && route.page === 'secrets')
      ? 'page'
      : undefined;
  return (
    <header class="topbar">
      <a
        class="skip"
        href="#main"
        onClick={(event) => {
          event.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        Skip to content
      </a>
      <div class="brand">
        <span class="brand__mark" aria-hidden="true" />
        voxsecrets
      </div>
      <nav class="nav" aria-label="Main">
        <a href={hrefFor.applications} aria-current={current('applications')}>
          Applications
        </a>
        <a href={hrefFor.keys} aria-current={current('keys')}>
          Keys
        </a>
        <a href={hrefFor.audit} aria-current={current('audit')}>
          Audit log
        </a>
      </nav>
      <div class="who">
        <span class="who__account" title={session.account.account_email}>
          <span class="visually-hidden">Account: </span>
          {session.account.account_name}
        </span>
        <span class="who__roles" title={`Key ${session.identity.keyId}`}>
          <span class="visually-hidden">Key roles: </span>
          {roleNames(session.roles)}
        </span>
        <button type="button" onClick={props.onSignOut}>
          Sign out
        </button>
      </div>
    </header>
  );
}
