// Applications: list (search by name part, paging), "Add application", rename, delete. A name
// opens the application's secrets.
import { useState } from 'preact/hooks';

import { ApiError } from '../api/client';
import { explain } from '../api/errors';
import type { Application, Paged } from '../api/types';
import { Dialog, DialogForm } from '../components/Dialog';
import { Field } from '../components/Field';
import { Pager } from '../components/Pager';
import { SearchBox } from '../components/SearchBox';
import { ErrorBanner, Explain, Loading } from '../components/Status';
import { formatCount, plural, shortAppName, shortTime } from '../lib/format';
import { hrefFor, useTitle } from '../lib/router';
import { usePaging } from '../lib/usePaging';
import { useQuery } from '../lib/useQuery';
import { useUnsaved } from '../lib/unsaved';
import { applicationNameProblem } from '../lib/validate';
import { notAllowed, useSession } from '../session';

export function ApplicationsPage() {
  const session = useSession();
  const [search, setSearch] = useState('');
  const paging = usePaging();
  const { offset, count } = paging;
  const [adding, setAdding] = useState(false);
  const [renaming, setRenaming] = useState<Application | null>(null);
  const [deleting, setDeleting] = useState<Application | null>(null);

  useTitle('Applications');

  const canList = session.can('GetApplications');
  const query = useQuery(
    () =>
      canList
        ? session.api.call<Paged<Application>>('GetApplications', {
            application_name: search || undefined,
            count,
            offset,
          })
        : Promise.resolve(undefined),
    [search, offset, count, canList],
  );
  const page = query.data;


  const addNote = session.can('AddApplication')
    ? undefined
    : notAllowed(session, 'add or rename applications (needs Owner or Admin)');
  const deleteNote = session.can('DelApplication')
    ? undefined
    : notAllowed(session, 'delete applications (needs Owner)');

  return (
    <section class="page">
      <div class="page__head">
        <h1>Applications</h1>
        <div class="page__actions">
          <button
            type="button"
            class="primary"
            onClick={() => setAdding(true)}
            disabled={addNote !== undefined}
            title={addNote}
          >
            Add application
          </button>
        </div>
      </div>
      <p class="page__lead">
        Secrets live in applications. Open an application to see and manage its secrets.
      </p>
      {!canList ? (
        <Explain text={notAllowed(session, 'list applications (needs Owner, Admin, Developer or Support)')} />
      ) : (
        <>
          <Explain text={addNote} />
          <Explain text={deleteNote} />
          <div class="toolbar">
            <SearchBox
              label="Search applications"
              placeholder="Part of the name"
              value={search}
              onSearch={(text) => {
                setSearch(text);
                paging.setOffset(0);
              }}
            />
          </div>
          {query.error !== undefined && (
            <ErrorBanner error={query.error} onRetry={query.reload} what="Could not load applications" />
          )}
          {page === undefined && query.loading && <Loading what="applications" />}
          {page !== undefined && (
            <>
              <div class="table-wrap" aria-busy={query.loading}>
                <table class="table">
                  <caption class="visually-hidden">
                    Applications, {formatCount(page.total_count)} in all
                  </caption>
                  <thead>
                    <tr>
                      <th scope="col">Name</th>
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
                    {page.result.map((app) => (
                      <tr key={app.application_id}>
                        <td>
                          <a class="strong-link" href={hrefFor.secrets(app.application_id)}>
                            {shortAppName(app.application_name)}
                          </a>
                          <div class="muted small mono">{app.application_name}</div>
                        </td>
                        <td class="col-time" title={app.created}>
                          {shortTime(app.created)}
                        </td>
                        <td class="col-time" title={app.modified}>
                          {shortTime(app.modified)}
                        </td>
                        <td class="col-actions">
                          <div class="row-actions">
                            <button
                              type="button"
                              onClick={() => setRenaming(app)}
                              disabled={addNote !== undefined}
                              title={addNote}
                              aria-label={`Rename ${shortAppName(app.application_name)}`}
                            >
                              Rename
                            </button>
                            <button
                              type="button"
                              class="danger-quiet"
                              onClick={() => setDeleting(app)}
                              disabled={deleteNote !== undefined}
                              title={deleteNote}
                              aria-label={`Delete ${shortAppName(app.application_name)}`}
                            >
                              Delete
                            </button>
                          </div>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                {page.result.length === 0 && (
                  <div class="empty">
                    {search !== '' ? (
                      <p>No application name contains “{search}”.</p>
                    ) : (
                      <p>
                        No applications yet.{' '}
                        {addNote === undefined && 'Add one to start storing secrets.'}
                      </p>
                    )}
                  </div>
                )}
              </div>
              <Pager
                label="applications"
                paging={paging}
                total={page.total_count}
                shown={page.result.length}
              />
            </>
          )}
        </>
      )}
      {adding && (
        <ApplicationNameDialog
          onClose={() => setAdding(false)}
          onDone={(name) => {
            setAdding(false);
            session.notify(`Application ${name} added.`);
            query.reload();
          }}
        />
      )}
      {renaming !== null && (
        <ApplicationNameDialog
          application={renaming}
          onClose={() => setRenaming(null)}
          onDone={(name) => {
            setRenaming(null);
            session.notify(`Application renamed to ${name}.`);
            query.reload();
          }}
        />
      )}
      {deleting !== null && (
        <DeleteApplicationDialog
          application={deleting}
          onClose={() => setDeleting(null)}
          onDone={() => {
            setDeleting(null);
            session.notify(`Application ${shortAppName(deleting.application_name)} deleted.`);
            query.reload();
          }}
        />
      )}
    </section>
  );
}

// "Add application" (no `application`) or "Rename application".
function ApplicationNameDialog(props: {
  application?: Application;
  onClose: () => void;
  onDone: (shortName: string) => void;
}) {
  const session = useSession();
  const renaming = props.application !== undefined;
  const initial = renaming ? shortAppName(props.application!.application_name) : '';
  const [name, setName] = useState(initial);
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [serverError, setServerError] = useState<string | undefined>(undefined);
  const [formError, setFormError] = useState<string | undefined>(undefined);
  const dirty = name !== initial;
  useUnsaved(dirty);

  const problem = applicationNameProblem(name, renaming);
  const shownError = serverError ?? (touched ? problem : undefined);

  const submit = async () => {
    setTouched(true);
    if (problem !== undefined) return;
    if (renaming && name === initial) {
      props.onClose();
      return;
    }
    setBusy(true);
    setFormError(undefined);
    try {
      if (renaming) {
        await session.api.call('SetApplicationInfo', {
          application_id: props.application!.application_id,
          application_name: name,
        });
      } else {
        await session.api.call('AddApplication', { application_name: name });
      }
      props.onDone(name);
    } catch (error) {
      if (error instanceof ApiError && error.field === 'application_name') {
        setServerError(explain(error));
      } else {
        setFormError(explain(error));
      }
      setBusy(false);
    }
  };

  return (
    <Dialog
      title={renaming ? `Rename application ${initial}` : 'Add application'}
      onClose={props.onClose}
      dirty={dirty}
      busy={busy}
    >
      <DialogForm
        submitLabel="Save"
        busy={busy}
        error={formError}
        onCancel={props.onClose}
        onSubmit={() => void submit()}
      >
        <Field
          label="Application name"
          error={shownError}
          hint={
            <>
              Lowercase letters, digits and hyphens, starting with a letter (
              {renaming ? '2–80' : '2–65'} characters). The full name becomes{' '}
              <code>
                {name || 'name'}.{session.account.account_name}.…
              </code>
            </>
          }
        >
          {(control) => (
            <input
              {...control}
              type="text"
              value={name}
              autocomplete="off"
              spellcheck={false}
              autofocus
              onInput={(event) => {
                setName((event.target as HTMLInputElement).value);
                setServerError(undefined);
                setTouched(true);
              }}
            />
          )}
        </Field>
      </DialogForm>
    </Dialog>
  );
}

function DeleteApplicationDialog(props: {
  application: Application;
  onClose: () => void;
  onDone: () => void;
}) {
  const session = useSession();
  const { application } = props;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const secrets = useQuery(
    () =>
      session.can('GetSecrets')
        ? session.api
            .call<Paged<unknown>>('GetSecrets', {
              application_id: application.application_id,
              count: 1,
            })
            .then((p) => p.total_count)
        : Promise.resolve(undefined),
    [application.application_id],
  );
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await session.api.call('DelApplication', { application_id: application.application_id });
      props.onDone();
    } catch (failure) {
      setError(explain(failure));
      setBusy(false);
    }
  };
  const short = shortAppName(application.application_name);
  return (
    <Dialog title={`Delete application ${short}?`} onClose={props.onClose} busy={busy}>
      <DialogForm
        submitLabel="Delete"
        danger
        busy={busy}
        error={error}
        onCancel={props.onClose}
        onSubmit={() => void submit()}
      >
        <p>
          This deletes the application <strong>{short}</strong> (
          <span class="mono small">{application.application_name}</span>)
          {secrets.data === undefined
            ? ' and all its secrets'
            : secrets.data === 0
              ? ', which has no secrets'
              : ` and its ${plural(secrets.data, 'secret')}`}
          . This cannot be undone.
        </p>
      </DialogForm>
    </Dialog>
  );
}
