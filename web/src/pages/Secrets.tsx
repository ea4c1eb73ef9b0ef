// The secrets of one application — the heart of the panel. A table of name, description,
// created and modified (values are never part of the list); search by name part and paging on
// the server, so thousands of secrets stay fast; "Add secret", edit, per-row Reveal/Hide/Copy
// (each a GetSecretValue call, so every look at a value is in the audit log); History per row
// (the kept versions of the value, with restore: SecretHistory.tsx); Delete per row and for a
// selection (shift-click selects a range), each confirmed in a dialog naming the secrets.
import { useEffect, useRef, useState } from 'preact/hooks';

import type { Application, Paged, SecretItem, SecretWithValue } from '../api/types';
import { explain } from '../api/errors';
import { Dialog, DialogForm } from '../components/Dialog';
import { Pager } from '../components/Pager';
import { SearchBox } from '../components/SearchBox';
import { ErrorBanner, Explain, Loading } from '../components/Status';
import { formatCount, plural, shortAppName, shortTime } from '../lib/format';
import { withEntry } from '../lib/maps';
import { hrefFor, useTitle } from '../lib/router';
import { usePaging } from '../lib/usePaging';
import { useQuery } from '../lib/useQuery';
import { deniedNote, notAllowed, useSession } from '../session';
import { SecretDialog } from './SecretDialog';
import { SecretHistoryDialog } from './SecretHistory';

const MASK = '••••••••••••'; // fixed length: says nothing about the value's length

type ValueState =
  | { status: 'loading' }
  | { status: 'shown'; value: string }
  | { status: 'error'; message: string };

export function SecretsPage(props: { applicationId: number }) {
  const session = useSession();
  const { applicationId } = props;
  const [search, setSearch] = useState('');
  const paging = usePaging();
  const { offset, count } = paging;
  const [values, setValues] = useState<ReadonlyMap<number, ValueState>>(new Map());
  const [selected, setSelected] = useState<ReadonlyMap<number, string>>(new Map());
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<SecretItem | null>(null);
  const [history, setHistory] = useState<SecretItem | null>(null);
  const [deleting, setDeleting] = useState<ReadonlyMap<number, string> | null>(null);
  const [viewing, setViewing] = useState<{ name: string; value: string } | null>(null);
  const lastClicked = useRef<number | null>(null);
  useEffect(() => {
    lastClicked.current = null; // a shift-click range never spans pages
  }, [paging.offset, paging.count]);
  // A revealed value is hidden again once its row leaves the screen (another page or search).
  useEffect(() => setValues(new Map()), [paging.offset, paging.count, search]);

  const app = useQuery(
    () =>
      session.api
        .call<Paged<Application>>('GetApplications', { application_id: applicationId })
        .then((p) => p.result[0] ?? null),
    [applicationId],
  );
  const appName = app.data ? shortAppName(app.data.application_name) : '';
  useTitle(appName ? `${appName} · Secrets` : 'Secrets');

  const query = useQuery(
    () =>
      session.api.call<Paged<SecretItem>>('GetSecrets', {
        application_id: applicationId,
        secret_name_part: search || undefined,
        count,
        offset,
      }),
    [applicationId, search, offset, count],
  );
  const page = query.data;


  const writeNote = session.can('AddSecret')
    ? undefined
    : notAllowed(session, 'add, edit or delete secrets (needs Owner, Admin or Developer)');
  const readNote = deniedNote(
    session,
    'GetSecretValue',
    'see secret values (needs Owner, Admin, Developer or SecretsReader)',
  );
  const historyNote = deniedNote(
    session,
    'GetSecretVersions',
    'see the history of a value (needs Owner, Admin, Developer, Support or SecretsReader)',
  );

  const setValue = (id: number, state: ValueState | undefined) =>
    setValues((old) => withEntry(old, id, state));

  const fetchValue = async (secret: SecretItem): Promise<string> => {
    const answer = await session.api.call<{ result: SecretWithValue[] }>('GetSecretValue', {
      application_id: applicationId,
      secret_id: secret.secret_id,
    });
    const item = answer.result[0];
    if (item === undefined) throw new Error('The server sent no value.');
    return item.secret_value;
  };

  const reveal = async (secret: SecretItem) => {
    setValue(secret.secret_id, { status: 'loading' });
    try {
      setValue(secret.secret_id, { status: 'shown', value: await fetchValue(secret) });
    } catch (error) {
      setValue(secret.secret_id, { status: 'error', message: explain(error) });
      session.notify(`Could not reveal ${secret.secret_name}: ${explain(error)}`);
    }
  };

  const copy = async (secret: SecretItem) => {
    try {
      const state = values.get(secret.secret_id);
      const value = state?.status === 'shown' ? state.value : await fetchValue(secret);
      await navigator.clipboard.writeText(value);
      session.notify(`Copied the value of ${secret.secret_name} to the clipboard.`);
    } catch (error) {
      session.notify(`Could not copy ${secret.secret_name}: ${explain(error)}`);
    }
  };

  const toggleSelect = (rows: SecretItem[], index: number, checked: boolean, range: boolean) => {
    const next = new Map(selected);
    const from = range && lastClicked.current !== null ? Math.min(lastClicked.current, index) : index;
    const to = range && lastClicked.current !== null ? Math.max(lastClicked.current, index) : index;
    for (let i = from; i <= to; i += 1) {
      const row = rows[i];
      if (row === undefined) continue;
      if (checked) next.set(row.secret_id, row.secret_name);
      else next.delete(row.secret_id);
    }
    lastClicked.current = index;
    setSelected(next);
  };

  if (app.data === null) {
    return (
      <section class="page">
        <Breadcrumb name="Not found" />
        <h1>Application not found</h1>
        <p>
          There is no application with id {applicationId} in this account.{' '}
          <a href={hrefFor.applications}>Back to Applications</a>.
        </p>
      </section>
    );
  }

  const rows = page?.result ?? [];
  const selectedOnPage = rows.filter((r) => selected.has(r.secret_id)).length;

  return (
    <section class="page">
      <Breadcrumb name={appName || '…'} />
      <div class="page__head">
        <h1>
          <span class="muted">Secrets of </span>
          {appName || '…'}
        </h1>
        <div class="page__actions">
          <button
            type="button"
            class="primary"
            onClick={() => setAdding(true)}
            disabled={writeNote !== undefined || app.data === undefined}
            title={writeNote}
          >
            Add secret
          </button>
        </div>
      </div>
      {app.data && <p class="page__lead mono small muted">{app.data.application_name}</p>}
      {app.error !== undefined && (
        <ErrorBanner error={app.error} onRetry={app.reload} what="Could not load the application" />
      )}
      <Explain text={writeNote} />
      <Explain text={readNote} />
      <div class="toolbar">
        <SearchBox
          label="Search secrets"
          placeholder="Part of the name"
          value={search}
          onSearch={(text) => {
            setSearch(text);
            paging.setOffset(0);
          }}
        />
        <div class="toolbar__bulk">
          <span class="toolbar__count" aria-live="polite">
            {selected.size > 0 ? `${formatCount(selected.size)} selected` : ''}
          </span>
          <button
            type="button"
            onClick={() => setSelected(new Map())}
            disabled={selected.size === 0}
          >
            Clear selection
          </button>
          <button
            type="button"
            class="danger-quiet"
            onClick={() => setDeleting(new Map(selected))}
            disabled={selected.size === 0 || writeNote !== undefined}
            title={writeNote}
          >
            Delete selected
          </button>
        </div>
      </div>
      {query.error !== undefined && (
        <ErrorBanner error={query.error} onRetry={query.reload} what="Could not load secrets" />
      )}
      {page === undefined && query.loading && <Loading what="secrets" />}
      {page !== undefined && (
        <>
          <div class="table-wrap" aria-busy={query.loading}>
            <table class="table table--secrets">
              <caption class="visually-hidden">
                Secrets of {appName}, {formatCount(page.total_count)} in all
              </caption>
              <thead>
                <tr>
                  <th scope="col" class="col-check">
                    <input
                      type="checkbox"
                      aria-label="Select all secrets on this page"
                      checked={rows.length > 0 && selectedOnPage === rows.length}
                      indeterminate={selectedOnPage > 0 && selectedOnPage < rows.length}
                      disabled={rows.length === 0}
                      onChange={(event) => {
                        const checked = (event.target as HTMLInputElement).checked;
                        const next = new Map(selected);
                        for (const r of rows) {
                          if (checked) next.set(r.secret_id, r.secret_name);
                          else next.delete(r.secret_id);
                        }
                        setSelected(next);
                      }}
                    />
                  </th>
                  <th scope="col">Name</th>
                  <th scope="col" class="col-value">
                    Value
                  </th>
                  <th scope="col">Description</th>
                  <th scope="col" class="col-time">
                    Created (UTC)
                  </th>
                  <th scope="col" class="col-time">
                    Modified (UTC)
                  </th>
                  <th scope="col" class="col-actions">
                    <span class="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((secret, index) => (
                  <tr key={secret.secret_id} class={selected.has(secret.secret_id) ? 'selected' : ''}>
                    <td class="col-check">
                      <input
                        type="checkbox"
                        aria-label={`Select ${secret.secret_name}`}
                        checked={selected.has(secret.secret_id)}
                        onClick={(event) => {
                          const box = event.target as HTMLInputElement;
                          toggleSelect(rows, index, box.checked, event.shiftKey);
                        }}
                      />
                    </td>
                    <td class="mono name-cell" data-label="Name">
                      {secret.secret_name}
                    </td>
                    <td class="col-value" data-label="Value">
                      <ValueCell
                        secret={secret}
                        state={values.get(secret.secret_id)}
                        disabledNote={readNote}
                        onReveal={() => void reveal(secret)}
                        onHide={() => setValue(secret.secret_id, undefined)}
                        onCopy={() => void copy(secret)}
                        onView={(value) => setViewing({ name: secret.secret_name, value })}
                      />
                    </td>
                    <td class="desc-cell" data-label="Description">
                      {secret.description ?? <span class="muted">—</span>}
                    </td>
                    <td class="col-time" data-label="Created (UTC)" title={secret.created}>
                      {shortTime(secret.created)}
                    </td>
                    <td class="col-time" data-label="Modified (UTC)" title={secret.modified}>
                      {shortTime(secret.modified)}
                    </td>
                    <td class="col-actions">
                      <div class="row-actions">
                        <button
                          type="button"
                          onClick={() => setEditing(secret)}
                          disabled={writeNote !== undefined}
                          title={writeNote}
                          aria-label={`Edit ${secret.secret_name}`}
                        >
                          Edit
                        </button>
                        <button
                          type="button"
                          onClick={() => setHistory(secret)}
                          disabled={historyNote !== undefined}
                          title={historyNote}
                          aria-label={`History of ${secret.secret_name}`}
                        >
                          History
                        </button>
                        <button
                          type="button"
                          class="danger-quiet"
                          onClick={() =>
                            setDeleting(new Map([[secret.secret_id, secret.secret_name]]))
                          }
                          disabled={writeNote !== undefined}
                          title={writeNote}
                          aria-label={`Delete ${secret.secret_name}`}
                        >
                          Delete
                        </button>
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {rows.length === 0 && (
              <div class="empty">
                {search !== '' ? (
                  <p>No secret name contains “{search}”.</p>
                ) : (
                  <p>
                    No secrets in this application yet.
                    {writeNote === undefined && ' Use “Add secret” to store the first one.'}
                  </p>
                )}
              </div>
            )}
          </div>
          <Pager label="secrets" paging={paging} total={page.total_count} shown={rows.length} />
        </>
      )}
      {adding && app.data && (
        <SecretDialog
          application={app.data}
          onClose={() => setAdding(false)}
          onDone={(name) => {
            setAdding(false);
            session.notify(`Secret ${name} added.`);
            query.reload();
          }}
        />
      )}
      {editing !== null && app.data && (
        <SecretDialog
          application={app.data}
          secret={editing}
          onClose={() => setEditing(null)}
          onDone={(name, valueChanged) => {
            if (valueChanged || name !== editing.secret_name) setValue(editing.secret_id, undefined);
            setEditing(null);
            session.notify(`Secret ${name} saved.`);
            query.reload();
          }}
        />
      )}
      {history !== null && (
        <SecretHistoryDialog
          applicationId={applicationId}
          secret={history}
          onClose={() => setHistory(null)}
          onRestored={(version, changed) => {
            setValue(history.secret_id, undefined);
            session.notify(
              changed
                ? `Secret ${history.secret_name} restored: its value is now version ${version}.`
                : `Secret ${history.secret_name} unchanged: that version holds the current value (version ${version}).`,
            );
            query.reload();
          }}
        />
      )}
      {deleting !== null && (
        <DeleteSecretsDialog
          applicationId={applicationId}
          appName={appName}
          secrets={deleting}
          onClose={() => setDeleting(null)}
          onDone={() => {
            const gone = deleting;
            setDeleting(null);
            setSelected((old) => new Map([...old].filter(([id]) => !gone.has(id))));
            setValues((old) => new Map([...old].filter(([id]) => !gone.has(id))));
            session.notify(
              gone.size === 1
                ? `Secret ${[...gone.values()][0]} deleted.`
                : `${plural(gone.size, 'secret')} deleted.`,
            );
            query.reload();
          }}
        />
      )}
      {viewing !== null && (
        <Dialog title={`Value of ${viewing.name}`} onClose={() => setViewing(null)} wide>
          <div class="dialog__body">
            <label class="field__label" for="full-value">
              Secret value
            </label>
            <textarea id="full-value" class="mono value-view" readOnly rows={12} value={viewing.value} />
          </div>
          <div class="dialog__footer">
            <button
              type="button"
              onClick={() => {
                navigator.clipboard.writeText(viewing.value).then(
                  () => session.notify(`Copied the value of ${viewing.name} to the clipboard.`),
                  () => session.notify('The browser refused to copy to the clipboard.'),
                );
              }}
            >
              Copy
            </button>
            <button type="button" class="primary" onClick={() => setViewing(null)}>
              Close
            </button>
          </div>
        </Dialog>
      )}
    </section>
  );
}

function Breadcrumb(props: { name: string }) {
  return (
    <nav class="breadcrumb" aria-label="Breadcrumb">
      <a href={hrefFor.applications}>Applications</a>
      <span aria-hidden="true"> / </span>
      <span aria-current="page">{props.name}</span>
    </nav>
  );
}

// The value of one row: a fixed-size box (the mask, or the revealed value on one line) and
// Reveal/Hide and Copy buttons of fixed width, so revealing moves nothing on the page. A revealed
// value opens whole (line breaks and all) in a dialog from its box.
function ValueCell(props: {
  secret: SecretItem;
  state: ValueState | undefined;
  disabledNote: string | undefined;
  onReveal: () => void;
  onHide: () => void;
  onCopy: () => void;
  onView: (value: string) => void;
}) {
  const { secret, state } = props;
  const name = secret.secret_name;
  const shown = state?.status === 'shown';
  return (
    <div class="value">
      {shown ? (
        <button
          type="button"
          class="value__box value__box--shown mono"
          title={`Show the whole value of ${name}`}
          onClick={() => props.onView(state.value)}
        >
          {state.value.replace(/\r?\n/g, '⏎')}
        </button>
      ) : (
        <span class="value__box mono" aria-label={`Value of ${name} hidden`}>
          {state?.status === 'loading' ? 'Loading…' : state?.status === 'error' ? 'Failed' : MASK}
        </span>
      )}
      {shown ? (
        <button type="button" class="value__toggle" onClick={props.onHide} aria-label={`Hide the value of ${name}`}>
          Hide
        </button>
      ) : (
        <button
          type="button"
          class="value__toggle"
          onClick={props.onReveal}
          disabled={props.disabledNote !== undefined || state?.status === 'loading'}
          title={props.disabledNote}
          aria-label={`Reveal the value of ${name}`}
        >
          Reveal
        </button>
      )}
      <button
        type="button"
        class="value__copy"
        onClick={props.onCopy}
        disabled={props.disabledNote !== undefined}
        title={props.disabledNote}
        aria-label={`Copy the value of ${name}`}
      >
        Copy
      </button>
    </div>
  );
}

function DeleteSecretsDialog(props: {
  applicationId: number;
  appName: string;
  secrets: ReadonlyMap<number, string>;
  onClose: () => void;
  onDone: () => void;
}) {
  const session = useSession();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const names = [...props.secrets.values()].sort();
  const one = names.length === 1;
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await session.api.call('DelSecret', {
        application_id: props.applicationId,
        secret_id: [...props.secrets.keys()].join(';'),
      });
      props.onDone();
    } catch (failure) {
      setError(`Nothing was deleted. ${explain(failure)}`);
      setBusy(false);
    }
  };
  const LIST_MAX = 15;
  return (
    <Dialog
      title={one ? `Delete secret ${names[0]}?` : `Delete ${plural(names.length, 'secret')}?`}
      onClose={props.onClose}
      busy={busy}
    >
      <DialogForm
        submitLabel="Delete"
        danger
        busy={busy}
        error={error}
        onCancel={props.onClose}
        onSubmit={() => void submit()}
      >
        {one ? (
          <p>
            This deletes the secret <strong class="mono">{names[0]}</strong> from the application{' '}
            <strong>{props.appName}</strong>. This cannot be undone.
          </p>
        ) : (
          <>
            <p>
              This deletes these {formatCount(names.length)} secrets from the application{' '}
              <strong>{props.appName}</strong>. This cannot be undone.
            </p>
            <ul class="name-list mono">
              {names.slice(0, LIST_MAX).map((n) => (
                <li key={n}>{n}</li>
              ))}
              {names.length > LIST_MAX && (
                <li class="muted">and {formatCount(names.length - LIST_MAX)} more</li>
              )}
            </ul>
          </>
        )}
      </DialogForm>
    </Dialog>
  );
}
