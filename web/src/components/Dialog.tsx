// A modal dialog on the native <dialog> element: focus moves into it and is trapped there by the
// browser, Escape asks to close, Enter submits its form, and focus returns to the control that
// opened it (or to the page when that control is gone, e.g. a deleted row's button).
//
// Render it only while it is open ({open && <Dialog …/>}), so every opening starts from fresh
// form state. With `dirty`, closing asks "Discard your changes?" first; while `busy` (a call in
// flight) Escape does nothing.
import { createContext, type ComponentChildren } from 'preact';
import { useContext, useEffect, useId, useLayoutEffect, useRef, useState } from 'preact/hooks';

// How a button inside a dialog asks to close it: through the same "discard changes?" check as
// Escape.
const RequestClose = createContext<(() => void) | null>(null);

export interface DialogProps {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  wide?: boolean;
  dirty?: boolean;
  busy?: boolean;
  role?: 'dialog' | 'alertdialog';
}

function focusPage(): void {
  const main = document.getElementById('main');
  main?.focus();
}

export function Dialog(props: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [askDiscard, setAskDiscard] = useState(false);
  const keepEditing = useRef<HTMLButtonElement>(null);
  const latest = useRef(props);
  latest.current = props;

  useEffect(() => {
    if (askDiscard) keepEditing.current?.focus();
  }, [askDiscard]);

  useLayoutEffect(() => {
    const dialog = ref.current;
    if (dialog === null) return undefined;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    dialog.showModal();
    return () => {
      if (dialog.open) dialog.close();
      if (opener !== null && opener.isConnected) {
        opener.focus();
      } else {
        focusPage();
      }
    };
  }, []);

  const requestClose = () => {
    const p = latest.current;
    if (p.busy) return;
    if (p.dirty) {
      setAskDiscard(true);
      return;
    }
    p.onClose();
  };

  return (
    <dialog
      ref={ref}
      class={props.wide ? 'dialog dialog--wide' : 'dialog'}
      role={props.role}
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        requestClose();
      }}
      onClose={() => {
        // Closed by the browser itself (e.g. a repeated Escape): keep unsaved input on screen.
        const dialog = ref.current;
        if (dialog === null || !dialog.isConnected) return;
        if (latest.current.dirty || latest.current.busy) {
          dialog.showModal();
          if (latest.current.dirty) setAskDiscard(true);
        } else {
          latest.current.onClose();
        }
      }}
    >
      <h2 id={titleId} class="dialog__title">
        {props.title}
      </h2>
      <RequestClose.Provider value={requestClose}>{props.children}</RequestClose.Provider>
      {askDiscard && (
        <div class="discard" role="alert">
          <p>Discard your changes?</p>
          <div class="discard__actions">
            <button type="button" ref={keepEditing} onClick={() => setAskDiscard(false)}>
              Keep editing
            </button>
            <button type="button" class="danger" onClick={() => latest.current.onClose()}>
              Discard
            </button>
          </div>
        </div>
      )}
    </dialog>
  );
}

export interface DialogFormProps {
  onSubmit: () => void;
  onCancel: () => void; // used outside a Dialog; inside one, Cancel asks the Dialog to close
  submitLabel: string;
  busy: boolean;
  error?: string | undefined;
  danger?: boolean;
  submitDisabled?: boolean;
  cancelLabel?: string;
  children: ComponentChildren;
}

// The body and button row of a dialog: a form, so Enter submits it; Ctrl/Cmd+Enter submits from
// a textarea too.
export function DialogForm(props: DialogFormProps) {
  const requestClose = useContext(RequestClose);
  return (
    <form
      class="dialog__form"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        if (!props.busy) props.onSubmit();
      }}
      onKeyDown={(event) => {
        if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
          event.preventDefault();
          if (!props.busy) props.onSubmit();
        }
      }}
    >
      <div class="dialog__body">
        {props.children}
        {props.error !== undefined && (
          <p class="form-error" role="alert">
            {props.error}
          </p>
        )}
      </div>
      <div class="dialog__footer">
        <span class="dialog__status" role="status">
          {props.busy ? 'Working…' : ''}
        </span>
        <button type="button" onClick={requestClose ?? props.onCancel} disabled={props.busy}>
          {props.cancelLabel ?? 'Cancel'}
        </button>
        <button
          type="submit"
          class={props.danger ? 'danger' : 'primary'}
          disabled={props.busy || props.submitDisabled}
        >
          {props.submitLabel}
        </button>
      </div>
    </form>
  );
}
