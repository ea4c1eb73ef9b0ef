// "Add secret" and "Edit secret": Secret name, Secret value (a multi-line monospace field, hidden
// while typing unless "Show value" is ticked), Description (with its 200-character counter), and
// Save. The API's rules are checked as the person types; when the server still refuses, its
// reason is shown next to the field it names (e.g. 493: the name is taken) and nothing typed is
// lost.
import { useState } from 'preact/hooks';

import { ApiError } from '../api/client';
import { explain } from '../api/errors';
import type { Application, SecretItem } from '../api/types';
import { Dialog, DialogForm } from '../components/Dialog';
import { Field } from '../components/Field';
import { shortAppName } from '../lib/format';
import { useUnsaved } from '../lib/unsaved';
import {
  codePoints,
  DESCRIPTION_MAX,
  descriptionProblem,
  SECRET_VALUE_MAX,
  secretNameProblem,
  secretValueProblem,
  secretValueWarning,
} from '../lib/validate';
import { useSession } from '../session';

type FieldName = 'name' | 'value' | 'description';

const FIELD_OF: Record<string, FieldName> = {
  secret_name: 'name',
  new_secret_name: 'name',
  secret_value: 'value',
  description: 'description',
};

export function SecretDialog(props: {
  application: Application;
  secret?: SecretItem; // edit this one; absent: add
  onClose: () => void;
  onDone: (name: string, valueChanged: boolean) => void;
}) {
  const session = useSession();
  const editing = props.secret;
  const initialName = editing?.secret_name ?? '';
  const initialDescription = editing?.description ?? '';
  const [name, setName] = useState(initialName);
  const [value, setValue] = useState('');
  const [description, setDescription] = useState(initialDescription);
  const [showValue, setShowValue] = useState(false);
  const [touched, setTouched] = useState<ReadonlySet<FieldName>>(new Set());
  const [serverErrors, setServerErrors] = useState<Partial<Record<FieldName, string>>>({});
  const [formError, setFormError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const dirty = name !== initialName || value !== '' || description !== initialDescription;
  useUnsaved(dirty);

  const problems: Partial<Record<FieldName, string>> = {
    name: secretNameProblem(name),
    value: secretValueProblem(value, editing === undefined),
    description:
      descriptionProblem(description) ??
      (editing !== undefined && initialDescription !== '' && description === ''
        ? 'A description can be replaced but not removed (the API reads an empty one as “no change”).'
        : undefined),
  };
  const shown = (field: FieldName) =>
    serverErrors[field] ?? (touched.has(field) ? problems[field] : undefined);

  const touch = (field: FieldName) => {
    if (!touched.has(field)) setTouched(new Set([...touched, field]));
    if (serverErrors[field] !== undefined) setServerErrors({ ...serverErrors, [field]: undefined });
  };

  const submit = async () => {
    setTouched(new Set<FieldName>(['name', 'value', 'description']));
    if (Object.values(problems).some((p) => p !== undefined)) {
      const first = (['name', 'value', 'description'] as const).find((f) => problems[f]);
      document.getElementById(`secret-${first}`)?.focus();
      return;
    }
    setBusy(true);
    setFormError(undefined);
    try {
      if (editing === undefined) {
        await session.api.call('AddSecret', {
          application_id: props.application.application_id,
          secret_name: name,
          secret_value: value,
          description: description || undefined,
        });
      } else {
        await session.api.call('SetSecretInfo', {
          application_id: props.application.application_id,
          secret_id: editing.secret_id,
          new_secret_name: name !== initialName ? name : undefined,
          secret_value: value !== '' ? value : undefined,
          description: description !== initialDescription ? description : undefined,
        });
      }
      props.onDone(name, value !== '');
    } catch (error) {
      const field = error instanceof ApiError && error.field ? FIELD_OF[error.field] : undefined;
      if (field !== undefined) {
        setServerErrors({ [field]: explain(error) });
        document.getElementById(`secret-${field}`)?.focus();
      } else {
        setFormError(explain(error));
      }
      setBusy(false);
    }
  };

  const app = shortAppName(props.application.application_name);
  return (
    <Dialog
      title={editing ? `Edit secret ${editing.secret_name}` : `Add secret to ${app}`}
      onClose={props.onClose}
      dirty={dirty}
      busy={busy}
      wide
    >
      <DialogForm
        submitLabel="Save"
        busy={busy}
        error={formError}
        onCancel={props.onClose}
        onSubmit={() => void submit()}
      >
        <Field
          label="Secret name"
          id="secret-name"
          error={shown('name')}
          hint="Letters, digits and _, starting with a letter; up to 64 characters. Case matters."
        >
          {(control) => (
            <input
              {...control}
              type="text"
              class="mono"
              value={name}
              autocomplete="off"
              spellcheck={false}
              autofocus
              onInput={(event) => {
                setName((event.target as HTMLInputElement).value);
                touch('name');
              }}
            />
          )}
        </Field>
        <Field
          label="Secret value"
          id="secret-value"
          error={shown('value')}
          warning={secretValueWarning(value)}
          counter={{ value: codePoints(value), max: SECRET_VALUE_MAX }}
          hint={
            editing
              ? 'Leave empty to keep the current value. Line breaks are kept.'
              : 'Line breaks are kept: paste a PEM key or a JSON document as it is.'
          }
        >
          {(control) => (
            <>
              <textarea
                {...control}
                  class={showValue ? 'mono value-input' : 'mono value-input masked'}
                rows={6}
                value={value}
                autocomplete="off"
                spellcheck={false}
                placeholder={editing ? 'Unchanged' : undefined}
                onInput={(event) => {
                  setValue((event.target as HTMLTextAreaElement).value);
                  touch('value');
                }}
              />
              <label class="check">
                <input
                  type="checkbox"
                  checked={showValue}
                  onChange={(event) => setShowValue((event.target as HTMLInputElement).checked)}
                />
                Show value while typing
              </label>
            </>
          )}
        </Field>
        <Field
          label="Description"
          id="secret-description"
          error={shown('description')}
          counter={{ value: codePoints(description), max: DESCRIPTION_MAX }}
          hint="Optional. Where the secret is used, who owns it."
        >
          {(control) => (
            <input
              {...control}
              type="text"
              value={description}
              autocomplete="off"
              onInput={(event) => {
                setDescription((event.target as HTMLInputElement).value);
                touch('description');
              }}
            />
          )}
        </Field>
      </DialogForm>
    </Dialog>
  );
}
