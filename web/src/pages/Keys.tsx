// Keys (service accounts): list with roles and the applications a key is limited to, create
// (roles from GetRoles, optionally limited to some applications: docs/AUTH.md "Keys limited to
// applications"; the new key's credentials.json is offered for download once, with a warning that
// it cannot be shown again), change roles or the applications a key is limited to (one
// KeyChangeDialog frame), delete (warning first when it is the key this tab is signed in with).
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';

import { ApiError } from '../api/client';
import { explain } from '../api/errors';
import type { Application, CreatedKey, KeyItem, Paged, RoleView } from '../api/types';
import { Dialog, DialogForm } from '../components/Dialog';
import { Field } from '../components/Field';
import { Pager } from '../components/Pager';
import { ErrorBanner, Explain, Loading } from '../components/Status';
import { downloadText } from '../lib/download';
import { formatCount, shortAppName } from '../lib/format';
import { useTitle } from '../lib/router';
import { usePaging } from '../lib/usePaging';
import { useQuery } from '../lib/useQuery';
import { useUnsaved } from '../lib/unsaved';
import {
  codePoints,
  DESCRIPTION_MAX,
  descriptionProblem,
  KEY_NAME_MAX,
  keyNameProblem,
} from '../lib/validate';
import { notAllowed, useSession, type Session } from '../session';

const OWNER = 1;

export function KeysPage() {
  const session = useSession();
  const paging = usePaging();
  const { offset, count } = paging;
  const [creating, setCreating] = useState(false);
  const [changing, setChanging] = useState<KeyItem | null>(null);
  const [scoping, setScoping] = useState<KeyItem | null>(null);
  const [deleting, setDeleting] = useState<KeyItem | null>(null);

  useTitle('Keys');

  const canList = session.can('GetKeys');
  const query = useQuery(
    () =>
      canList
        ? session.api.call<Paged<KeyItem>>('GetKeys', { with_roles: true, count, offset })
        : Promise.resolve(undefined),
    [offset, count, canList],
  );
  const roles = useQuery(
    () => session.api.call<{ result: RoleView[] }>('GetRoles').then((r) => r.result),
    [],
  );
  // Names for the applications keys are limited to (the account's, up to 1000).
  const apps = useQuery(
    () =>
      session.can('GetApplications')
        ? session.api
            .call<Paged<Application>>('GetApplications', { count: 1000 })
            .then((p) => p.result)
        : Promise.resolve([] as Application[]),
    [],
  );
  const page = query.data;

  const manageNote = canList ? undefined : notAllowed(session, 'manage keys (needs Owner or Admin)');
  const myKey = session.identity.keyId;

  return (
    <section class="page">
      <div class="page__head">
        <h1>Keys</h1>
        <div class="page__actions">
          <button
            type="button"
            class="primary"
            onClick={() => setCreating(true)}
            disabled={!session.can('CreateKey') || roles.data === undefined}
            title={session.can('CreateKey') ? undefined : manageNote}
          >
            Create key
          </button>
        </div>
      </div>
      <p class="page__lead">
        A key lets a program (or this panel) call the API with the roles it holds. The server keeps
        only its public half; the private half is handed out once, as a credentials.json.
      </p>
      <Explain text={manageNote} />
      {canList && query.error !== undefined && (
        <ErrorBanner error={query.error} onRetry={query.reload} what="Could not load keys" />
      )}
      {canList && page === undefined && query.loading && <Loading what="keys" />}
      {page !== undefined && (
        <>
          <div class="table-wrap" aria-busy={query.loading}>
            <table class="table">
              <caption class="visually-hidden">Keys, {formatCount(page.total_count)} in all</caption>
              <thead>
                <tr>
                  <th scope="col">Key</th>
                  <th scope="col">Description</th>
                  <th scope="col">Roles</th>
                  <th scope="col">Applications</th>
                  <th scope="col" class="col-actions">
                    <span class="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {page.result.map((key) => (
                  <tr key={key.key_id}>
                    <td data-label="Key">
                      <div class="strong">
                        {key.key_name ?? <span class="muted">Unnamed key</span>}
                        {key.key_id === myKey && <span class="badge">This tab's key</span>}
                      </div>
                      <div class="mono small muted">{key.key_id}</div>
                    </td>
                    <td class="desc-cell" data-label="Description">
                      {key.description ?? <span class="muted">—</span>}
                    </td>
                    <td data-label="Roles">
                      <RoleChips roles={key.roles ?? []} />
                    </td>
                    <td data-label="Applications">
                      <ScopeText ids={key.application_ids} apps={apps.data} />
                    </td>
                    <td class="col-actions">
                      <div class="row-actions">
                        <button
                          type="button"
                          onClick={() => setChanging(key)}
                          disabled={!session.can('SetKeyRoles') || roles.data === undefined}
                          aria-label={`Change roles of ${label(key)}`}
                        >
                          Change roles
                        </button>
                        <button
                          type="button"
                          onClick={() => setScoping(key)}
                          disabled={!session.can('UpdateKey') || apps.data === undefined}
                          aria-label={`Change applications of ${label(key)}`}
                        >
                          Applications
                        </button>
                        <button
                          type="button"
                          class="danger-quiet"
                          onClick={() => setDeleting(key)}
                          disabled={!session.can('DeleteKey')}
                          aria-label={`Delete ${label(key)}`}
                        >
                          Delete
                        </button>
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager
            label="keys"
            paging={paging}
            total={page.total_count}
            shown={page.result.length}
          />
        </>
      )}
      {creating && roles.data !== undefined && (
        <CreateKeyDialog
          roles={roles.data}
          applications={apps.data ?? []}
          onClose={() => setCreating(false)}
          onCreated={() => query.reload()}
        />
      )}
      {changing !== null && roles.data !== undefined && (
        <ChangeRolesDialog
          keyItem={changing}
          roles={roles.data}
          onClose={() => setChanging(null)}
          onDone={() => {
            const mine = changing.key_id === myKey;
            setChanging(null);
            session.notify(`Roles of ${label(changing)} changed.`);
            query.reload();
            if (mine) void session.refresh();
          }}
        />
      )}
      {scoping !== null && apps.data !== undefined && (
        <ChangeScopeDialog
          keyItem={scoping}
          applications={apps.data}
          onClose={() => setScoping(null)}
          onDone={() => {
            const mine = scoping.key_id === myKey;
            setScoping(null);
            session.notify(`Applications of ${label(scoping)} changed.`);
            query.reload();
            if (mine) void session.refresh();
          }}
        />
      )}
      {deleting !== null && (
        <DeleteKeyDialog
          keyItem={deleting}
          mine={deleting.key_id === myKey}
          onClose={() => setDeleting(null)}
          onDone={() => {
            const mine = deleting.key_id === myKey;
            setDeleting(null);
            if (mine) {
              session.signOut();
              return;
            }
            session.notify(`Key ${label(deleting)} deleted.`);
            query.reload();
          }}
        />
      )}
    </section>
  );
}

const label = (key: KeyItem): string => key.key_name ?? key.key_id;

// What a key reaches: every application, or the names of those it is limited to.
function ScopeText(props: { ids: number[] | undefined; apps: Application[] | undefined }) {
  if (props.ids === undefined) return <span class="muted">All applications</span>;
  if (props.ids.length === 0) {
    return <span class="muted">None left (its applications were deleted)</span>;
  }
  const names = new Map((props.apps ?? []).map((a) => [a.application_id, a.application_name]));
  return (
    <span class="mono small">
      {props.ids.map((id) => shortAppName(names.get(id) ?? `#${id}`)).join(', ')}
    </span>
  );
}

// Every application (the default) or only the chosen ones.
function ScopePicker(props: {
  applications: Application[];
  limited: boolean;
  chosen: ReadonlySet<number>;
  onChange: (limited: boolean, chosen: ReadonlySet<number>) => void;
}) {
  return (
    <fieldset class="roles">
      <legend>Applications</legend>
      <label class="check">
        <input
          type="radio"
          name="key-scope"
          checked={!props.limited}
          onChange={() => props.onChange(false, props.chosen)}
        />
        Every application of the account
      </label>
      <label class="check">
        <input
          type="radio"
          name="key-scope"
          checked={props.limited}
          disabled={props.applications.length === 0}
          onChange={() => props.onChange(true, props.chosen)}
        />
        Only these applications
      </label>
      {props.limited && (
        <div class="roles__grid">
          {props.applications.map((app) => (
            <label key={app.application_id} class="check">
              <input
                type="checkbox"
                checked={props.chosen.has(app.application_id)}
                onChange={(event) => {
                  const next = new Set(props.chosen);
                  if ((event.target as HTMLInputElement).checked) next.add(app.application_id);
                  else next.delete(app.application_id);
                  props.onChange(true, next);
                }}
              />
              {shortAppName(app.application_name)}
            </label>
          ))}
        </div>
      )}
      <p class="field__hint">
        A limited key sees only its applications; the others answer as if they did not exist. For
        a service, a SecretsReader key limited to its application is the safest choice.
      </p>
    </fieldset>
  );
}

function RoleChips(props: { roles: RoleView[] }) {
  if (props.roles.length === 0) return <span class="muted">No roles</span>;
  return (
    <ul class="chips" aria-label="Roles">
      {props.roles.map((r) => (
        <li key={r.role_id} class="chip">
          {r.role_name}
        </li>
      ))}
    </ul>
  );
}

// Which roles this tab's key may hand out: an Owner every role, an Admin every role but Owner
// (docs/AUTH.md "Roles"); the server checks again (435).
function grantable(session: Session, roleId: number): boolean {
  const held = new Set(session.roles.map((r) => r.role_id));
  if (held.has(OWNER)) return true;
  return held.has(2) && roleId !== OWNER;
}

function RolePicker(props: {
  roles: RoleView[];
  chosen: ReadonlySet<number>;
  onChange: (next: ReadonlySet<number>) => void;
  initial?: ReadonlySet<number>;
}) {
  const session = useSession();
  return (
    <fieldset class="roles">
      <legend>Roles</legend>
      <div class="roles__grid">
        {props.roles.map((role) => {
          const allowed = grantable(session, role.role_id);
          // A role the key already holds but this tab may not give or take (Owner, for an Admin).
          const locked = !allowed;
          return (
            <label key={role.role_id} class={locked ? 'check check--disabled' : 'check'}>
              <input
                type="checkbox"
                checked={props.chosen.has(role.role_id)}
                disabled={locked}
                onChange={(event) => {
                  const next = new Set(props.chosen);
                  if ((event.target as HTMLInputElement).checked) next.add(role.role_id);
                  else next.delete(role.role_id);
                  props.onChange(next);
                }}
              />
              {role.role_name}
            </label>
          );
        })}
      </div>
      {props.roles.some((r) => !grantable(session, r.role_id)) && (
        <p class="field__hint">
          Only an Owner key may give or take away the Owner role; yours is{' '}
          {session.roles.map((r) => r.role_name).join(', ') || 'without roles'}.
        </p>
      )}
      <p class="field__hint">
        Secrets need Owner, Admin or Developer (Support may list them without values; SecretsReader
        reads values and changes nothing); keys and the audit log need Owner or Admin.
      </p>
    </fieldset>
  );
}

function CreateKeyDialog(props: {
  roles: RoleView[];
  applications: Application[];
  onClose: () => void;
  onCreated: () => void;
}) {
  const session = useSession();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [chosen, setChosen] = useState<ReadonlySet<number>>(new Set());
  const [limited, setLimited] = useState(false);
  const [apps, setApps] = useState<ReadonlySet<number>>(new Set());
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState<string | undefined>(undefined);
  const [created, setCreated] = useState<CreatedKey | null>(null);
  const [downloaded, setDownloaded] = useState(false);
  const [askLeave, setAskLeave] = useState(false);
  const dirty =
    created === null && (name !== '' || description !== '' || chosen.size > 0 || limited);
  useUnsaved(dirty || (created !== null && !downloaded));

  const nameProblem = keyNameProblem(name);
  const descProblem = descriptionProblem(description);
  const scopeProblem =
    limited && apps.size === 0 ? 'Choose at least one application, or every application.' : undefined;

  const submit = async () => {
    if (nameProblem !== undefined || descProblem !== undefined || scopeProblem !== undefined) return;
    setBusy(true);
    setFormError(undefined);
    try {
      const answer = await session.api.call<{ result: CreatedKey[] }>('CreateKey', {
        key_name: name || undefined,
        description: description || undefined,
        role_id: chosen.size > 0 ? [...chosen].sort((a, b) => a - b).join(';') : undefined,
        application_ids: limited ? [...apps].sort((a, b) => a - b).join(';') : undefined,
      });
      const key = answer.result[0];
      if (key === undefined) throw new Error('The server sent no key.');
      setCreated(key);
      props.onCreated();
    } catch (error) {
      setFormError(explain(error));
    } finally {
      setBusy(false);
    }
  };

  if (created !== null) {
    const close = () => {
      if (!downloaded && !askLeave) {
        setAskLeave(true);
        return;
      }
      setCreated(null); // the private key leaves memory with the dialog
      props.onClose();
    };
    return (
      <Dialog title="Key created" onClose={close} role="alertdialog">
        <div class="dialog__body">
          <p>
            Key <strong>{name || created.key_id}</strong> (<span class="mono small">{created.key_id}</span>)
            exists now.
          </p>
          <div class="banner banner--warning">
            <p>
              <strong>Download its credentials.json now: it cannot be shown again.</strong> The
              server does not keep the private key; if this file is lost, delete the key and create
              a new one.
            </p>
          </div>
          {askLeave && !downloaded && (
            <p class="form-error" role="alert">
              The credentials.json has not been downloaded. Closing now loses the private key for
              good. Press Close again to close anyway.
            </p>
          )}
        </div>
        <div class="dialog__footer">
          <span class="dialog__status" role="status">
            {downloaded ? 'Downloaded. Keep the file somewhere safe.' : ''}
          </span>
          <button type="button" onClick={close}>
            Close
          </button>
          <button
            type="button"
            class="primary"
            autofocus
            onClick={() => {
              downloadText('credentials.json', `${JSON.stringify(created)}\n`, 'application/json');
              setDownloaded(true);
            }}
          >
            Download credentials.json
          </button>
        </div>
      </Dialog>
    );
  }

  return (
    <Dialog title="Create key" onClose={props.onClose} dirty={dirty} busy={busy} wide>
      <DialogForm
        submitLabel="Create key"
        busy={busy}
        error={formError}
        onCancel={props.onClose}
        onSubmit={() => void submit()}
        submitDisabled={
          nameProblem !== undefined || descProblem !== undefined || scopeProblem !== undefined
        }
      >
        <Field
          label="Key name"
          error={nameProblem}
          counter={{ value: codePoints(name), max: KEY_NAME_MAX }}
          hint="Optional. What uses the key, e.g. “ci-deploy”."
        >
          {(control) => (
            <input
              {...control}
              type="text"
              value={name}
              autocomplete="off"
              autofocus
              onInput={(event) => setName((event.target as HTMLInputElement).value)}
            />
          )}
        </Field>
        <Field
          label="Description"
          error={descProblem}
          counter={{ value: codePoints(description), max: DESCRIPTION_MAX }}
        >
          {(control) => (
            <input
              {...control}
              type="text"
              value={description}
              autocomplete="off"
              onInput={(event) => setDescription((event.target as HTMLInputElement).value)}
            />
          )}
        </Field>
        <RolePicker roles={props.roles} chosen={chosen} onChange={setChosen} />
        <ScopePicker
          applications={props.applications}
          limited={limited}
          chosen={apps}
          onChange={(nextLimited, nextApps) => {
            setLimited(nextLimited);
            setApps(nextApps);
          }}
        />
        {scopeProblem !== undefined && (
          <p class="field__hint" role="status">
            {scopeProblem}
          </p>
        )}
      </DialogForm>
    </Dialog>
  );
}

// The frame of a change to an existing key: Save sends `save` (nothing to send: just closes), an
// error stays in the dialog, a warning when it is the key this tab is signed in with.
function KeyChangeDialog(props: {
  title: string;
  keyItem: KeyItem;
  changed: boolean;
  invalid?: boolean;
  mineWarning: string;
  save: () => Promise<unknown>;
  onClose: () => void;
  onDone: () => void;
  children: ComponentChildren;
}) {
  const session = useSession();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  useUnsaved(props.changed);
  const mine = props.keyItem.key_id === session.identity.keyId;

  const submit = async () => {
    if (!props.changed) {
      props.onClose();
      return;
    }
    if (props.invalid === true) return;
    setBusy(true);
    setError(undefined);
    try {
      await props.save();
      props.onDone();
    } catch (failure) {
      setError(explain(failure));
      setBusy(false);
    }
  };

  return (
    <Dialog title={props.title} onClose={props.onClose} dirty={props.changed} busy={busy} wide>
      <DialogForm
        submitLabel="Save"
        busy={busy}
        error={error}
        onCancel={props.onClose}
        onSubmit={() => void submit()}
        submitDisabled={props.invalid === true}
      >
        {mine && (
          <div class="banner banner--warning">
            <p>{props.mineWarning}</p>
          </div>
        )}
        {props.children}
      </DialogForm>
    </Dialog>
  );
}

function ChangeRolesDialog(props: {
  keyItem: KeyItem;
  roles: RoleView[];
  onClose: () => void;
  onDone: () => void;
}) {
  const session = useSession();
  const held = new Set((props.keyItem.roles ?? []).map((r) => r.role_id));
  const [chosen, setChosen] = useState<ReadonlySet<number>>(held);
  const same = chosen.size === held.size && [...chosen].every((id) => held.has(id));
  const save = () =>
    chosen.size > 0
      ? session.api.call('SetKeyRoles', {
          key_id: props.keyItem.key_id,
          role_id: [...chosen].sort((a, b) => a - b).join(';'),
        })
      : session.api.call('RemoveKeyRoles', {
          key_id: props.keyItem.key_id,
          role_id: [...held].join(';'),
        });

  return (
    <KeyChangeDialog
      title={`Change roles of ${label(props.keyItem)}`}
      keyItem={props.keyItem}
      changed={!same}
      mineWarning="This is the key this tab is signed in with: the panel follows its new roles at once (taking away Owner and Admin locks you out of this page)."
      save={save}
      onClose={props.onClose}
      onDone={props.onDone}
    >
      <RolePicker roles={props.roles} chosen={chosen} onChange={setChosen} />
    </KeyChangeDialog>
  );
}

// UpdateKey with `application_ids`: limit the key to the chosen applications, or `all` to lift
// the limit. The change applies to the key's very next request (docs/API.md).
function ChangeScopeDialog(props: {
  keyItem: KeyItem;
  applications: Application[];
  onClose: () => void;
  onDone: () => void;
}) {
  const session = useSession();
  const held = props.keyItem.application_ids;
  const [limited, setLimited] = useState(held !== undefined);
  const [chosen, setChosen] = useState<ReadonlySet<number>>(new Set(held ?? []));
  const same =
    limited === (held !== undefined) &&
    (!limited || (chosen.size === held?.length && held.every((id) => chosen.has(id))));
  const scopeProblem =
    limited && chosen.size === 0 ? 'Choose at least one application, or every application.' : undefined;
  const save = () =>
    session.api.call('UpdateKey', {
      key_id: props.keyItem.key_id,
      application_ids: limited ? [...chosen].sort((a, b) => a - b).join(';') : 'all',
    });

  return (
    <KeyChangeDialog
      title={`Change applications of ${label(props.keyItem)}`}
      keyItem={props.keyItem}
      changed={!same}
      invalid={scopeProblem !== undefined}
      mineWarning="This is the key this tab is signed in with: a limited key may no longer manage keys, so limiting it locks you out of this page."
      save={save}
      onClose={props.onClose}
      onDone={props.onDone}
    >
      <ScopePicker
        applications={props.applications}
        limited={limited}
        chosen={chosen}
        onChange={(nextLimited, nextChosen) => {
          setLimited(nextLimited);
          setChosen(nextChosen);
        }}
      />
      {scopeProblem !== undefined && (
        <p class="field__hint" role="status">
          {scopeProblem}
        </p>
      )}
    </KeyChangeDialog>
  );
}

function DeleteKeyDialog(props: {
  keyItem: KeyItem;
  mine: boolean;
  onClose: () => void;
  onDone: () => void;
}) {
  const session = useSession();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await session.api.call('DeleteKey', { key_id: props.keyItem.key_id });
      props.onDone();
    } catch (failure) {
      setError(
        failure instanceof ApiError && failure.code === 435
          ? 'Only an Owner key may delete a key that holds the Owner role. (error 435)'
          : explain(failure),
      );
      setBusy(false);
    }
  };
  return (
    <Dialog title={`Delete key ${label(props.keyItem)}?`} onClose={props.onClose} busy={busy}>
      <DialogForm
        submitLabel="Delete"
        danger
        busy={busy}
        error={error}
        onCancel={props.onClose}
        onSubmit={() => void submit()}
      >
        <p>
          This deletes the key <strong>{label(props.keyItem)}</strong> (
          <span class="mono small">{props.keyItem.key_id}</span>). Every program using it stops
          working at once. This cannot be undone.
        </p>
        {props.mine && (
          <div class="banner banner--warning" role="alert">
            <p>
              <strong>This is the key this tab is signed in with.</strong> Deleting it signs you out;
              you will need another key's credentials.json to sign in again.
            </p>
          </div>
        )}
      </DialogForm>
    </Dialog>
  );
}
