// The sign-in form: "Credentials file" + "Sign in". Used as the first page and, inside a dialog,
// to sign in again when the server stops accepting the key (nothing on the page is lost then).
import { useRef, useState } from 'preact/hooks';

import { explain } from '../api/errors';
import { signIn, type SignedIn } from '../signin';

export interface SignInFormProps {
  onSignedIn: (signed: SignedIn) => string | undefined; // an error to show, or undefined
  autofocus?: boolean;
  extraActions?: preact.ComponentChildren;
}

export function SignInForm(props: SignInFormProps) {
  const input = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    if (file === null) {
      setError('Choose your credentials.json first.');
      input.current?.focus();
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const text = await file.text();
      const signed = await signIn(text);
      const refusal = props.onSignedIn(signed);
      if (refusal !== undefined) setError(refusal);
    } catch (failure) {
      setError(explain(failure));
    } finally {
      setBusy(false);
      // Forget the file: the browser keeps only the imported, non-extractable key.
      if (input.current !== null) input.current.value = '';
      setFile(null);
    }
  };

  return (
    <form
      class="signin__form"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        if (!busy) void submit();
      }}
    >
      <div class="field">
        <label for="credentials-file" class="field__label">
          Credentials file
        </label>
        <input
          ref={input}
          id="credentials-file"
          type="file"
          accept=".json,application/json"
          aria-describedby="credentials-hint credentials-error"
          aria-invalid={error !== undefined}
          autofocus={props.autofocus}
          onChange={(event) => {
            const files = (event.target as HTMLInputElement).files;
            setFile(files !== null && files.length > 0 ? files[0]! : null);
            setError(undefined);
          }}
        />
        <p id="credentials-hint" class="field__hint">
          The <code>credentials.json</code> of a key: the server writes one for its first account
          (<code>data/credentials.json</code>); others come from the Keys page or{' '}
          <code>voxsecrets key create</code>.
        </p>
        <p id="credentials-error" class="field__message" role="alert">
          {error !== undefined && <span class="field__error">{error}</span>}
        </p>
      </div>
      <div class="signin__actions">
        {props.extraActions}
        <button type="submit" class="primary" disabled={busy}>
          Sign in
        </button>
        <span class="dialog__status" role="status">
          {busy ? 'Signing in…' : ''}
        </span>
      </div>
    </form>
  );
}

export function SignInPage(props: { onSignedIn: (signed: SignedIn) => string | undefined }) {
  return (
    <main id="main" class="signin" tabIndex={-1}>
      <div class="signin__card">
        <div class="brand brand--large">
          <span class="brand__mark" aria-hidden="true" />
          voxsecrets
        </div>
        <h1>Sign in</h1>
        <p class="signin__lead">
          Pick your key's credentials file. The private key stays in this browser tab: it signs
          short-lived tokens here and is never sent to the server or stored. Closing the tab or
          signing out forgets it.
        </p>
        <SignInForm onSignedIn={props.onSignedIn} autofocus />
      </div>
    </main>
  );
}
