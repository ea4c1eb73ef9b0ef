// The history of one secret's value (docs/API.md "Secret versions"): the kept versions, newest
// first, each with when it was set; an older version's value can be revealed (GetSecretValue
// with `version`, so every look is audited like any other) and restored (RestoreSecretVersion:
// its value becomes current as a new version, so the restore itself can be undone). Values are
// never part of the list and leave memory with the dialog.
import { useState } from 'preact/hooks';

import type { Paged, SecretItem, SecretVersion, SecretWithValue } from '../api/types';
import { explain } from '../api/errors';
import { Dialog } from '../components/Dialog';
import { ErrorBanner, Explain, Loading } from '../components/Status';
import { shortTime } from '../lib/format';
import { withEntry } from '../lib/maps';
import { useQuery } from '../lib/useQuery';
import { deniedNote, useSession } from '../session';

type Shown = { status: 'loading' } | { status: 'shown'; value: string } | { status: 'error' };

export function SecretHistoryDialog(props: {
  applicationId: number;
  secret: SecretItem;
  onClose: () => void;
  // `version`: the version now current; `changed`: false when the restored value equalled the
  // current one, so no version was made (docs/API.md, RestoreSecretVersion).
  onRestored: (version: number, changed: boolean) => void;
}) {
  const session = useSession();
  const { applicationId, secret } = props;
  const name = secret.secret_name;
  const [shown, setShown] = useState<ReadonlyMap<number, Shown>>(new Map());
  const [confirming, setConfirming] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);

  const versions = useQuery(
    () =>
      session.api.call<Paged<SecretVersion>>('GetSecretVersions', {
        application_id: applicationId,
        secret_id: secret.secret_id,
        count: 1000,
      }),
    [applicationId, secret.secret_id],
  );
  const readNote = deniedNote(
    session,
    'GetSecretValue',
    'see secret values (needs Owner, Admin, Developer or SecretsReader)',
  );
  const restoreNote = deniedNote(
    session,
    'RestoreSecretVersion',
    'restore a version (needs Owner, Admin or Developer)',
  );

  const show = (version: number, state: Shown | undefined) =>
    setShown((old) => withEntry(old, version, state));

  const reveal = async (version: number) => {
    show(version, { status: 'loading' });
    try {
      const answer = await session.api.call<{ result: SecretWithValue[] }>('GetSecretValue', {
        application_id: applicationId,
        secret_id: secret.secret_id,
        version,
      });
      const item = answer.result[0];
      if (item === undefined) throw new Error('The server sent no value.');
      show(version, { status: 'shown', value: item.secret_value });
    } catch (failure) {
      show(version, { status: 'error' });
      session.notify(`Could not reveal version ${version} of ${name}: ${explain(failure)}`);
    }
  };

  const rows = versions.data?.result ?? [];
  const current = rows.find((v) => v.current);
  const restore = async (version: number) => {
    const before = current?.version;
    setBusy(true);
    setError(undefined);
    try {
      const answer = await session.api.call<{ result: number; version: number }>(
        'RestoreSecretVersion',
        { application_id: applicationId, secret_id: secret.secret_id, version },
      );
      setConfirming(null);
      setShown(new Map());
      versions.reload();
      props.onRestored(answer.version, answer.version !== before);
    } catch (failure) {
      setError(`Nothing was restored. ${explain(failure)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title={`History of ${name}`} onClose={props.onClose} busy={busy} wide>
      <div class="dialog__body">
        <p class="muted small">
          Every change of the value is kept as a version; the server keeps the last ones (
          <span class="mono">serve --secret-versions</span>). Restoring an older version makes its
          value current as a new version.
        </p>
        <Explain text={restoreNote} />
        {versions.error !== undefined && (
          <ErrorBanner
            error={versions.error}
            onRetry={versions.reload}
            what="Could not load the versions"
          />
        )}
        {versions.data === undefined && versions.loading && <Loading what="versions" />}
        {versions.data !== undefined && (
          <table class="table table--history">
            <caption class="visually-hidden">
              Versions of {name}, {versions.data.total_count} kept
            </caption>
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col" class="col-time">
                  Set (UTC)
                </th>
                <th scope="col" class="col-value">
                  Value
                </th>
                <th scope="col" class="col-actions">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((v) => {
                const state = shown.get(v.version);
                return (
                  <tr key={v.version} class={v.current ? 'selected' : ''}>
                    <td data-label="Version">
                      {v.version}
                      {v.current && <span class="badge">Current</span>}
                    </td>
                    <td class="col-time" data-label="Set (UTC)" title={v.created}>
                      {shortTime(v.created)}
                    </td>
                    <td class="col-value" data-label="Value">
                      <div class="value">
                        <span
                          class="value__box mono"
                          aria-label={
                            state?.status === 'shown'
                              ? `Value of version ${v.version}`
                              : `Value of version ${v.version} hidden`
                          }
                        >
                          {state?.status === 'shown'
                            ? state.value.replace(/\r?\n/g, '⏎')
                            : state?.status === 'loading'
                              ? 'Loading…'
                              : state?.status === 'error'
                                ? 'Failed'
                                : '••••••••••••'}
                        </span>
                        {state?.status === 'shown' ? (
                          <button
                            type="button"
                            class="value__toggle"
                            onClick={() => show(v.version, undefined)}
                            aria-label={`Hide the value of version ${v.version}`}
                          >
                            Hide
                          </button>
                        ) : (
                          <button
                            type="button"
                            class="value__toggle"
                            onClick={() => void reveal(v.version)}
                            disabled={readNote !== undefined || state?.status === 'loading'}
                            title={readNote}
                            aria-label={`Reveal the value of version ${v.version}`}
                          >
                            Reveal
                          </button>
                        )}
                      </div>
                    </td>
                    <td class="col-actions">
                      {!v.current && (
                        <button
                          type="button"
                          onClick={() => {
                            setError(undefined);
                            setConfirming(v.version);
                          }}
                          disabled={restoreNote !== undefined || busy}
                          title={restoreNote}
                          aria-label={`Restore version ${v.version}`}
                        >
                          Restore
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
        {confirming !== null && (
          <div class="banner banner--warning" role="alert">
            <p>
              Restore version {confirming} of <strong class="mono">{name}</strong>? Its value becomes
              the current one as version {(current?.version ?? confirming) + 1}; version{' '}
              {current?.version ?? ''} stays in the history. If the two values are equal, nothing
              changes.
            </p>
            <div class="row-actions">
              <button type="button" onClick={() => setConfirming(null)} disabled={busy}>
                Cancel
              </button>
              <button
                type="button"
                class="primary"
                onClick={() => void restore(confirming)}
                disabled={busy}
              >
                Yes, restore version {confirming}
              </button>
            </div>
          </div>
        )}
        {error !== undefined && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
      </div>
      <div class="dialog__footer">
        <button type="button" class="primary" onClick={props.onClose} disabled={busy}>
          Close
        </button>
      </div>
    </Dialog>
  );
}
