// A labelled form control with its hint, live counter, warning and error, all tied to the
// control with aria-describedby (and aria-invalid when there is an error).
import type { ComponentChildren } from 'preact';
import { useId } from 'preact/hooks';

export interface ControlProps {
  id: string;
  'aria-describedby': string | undefined;
  'aria-invalid': boolean;
}

export interface FieldProps {
  label: string;
  id?: string; // the control's id (generated when absent)
  error?: string | undefined;
  warning?: string | undefined;
  hint?: ComponentChildren;
  counter?: { value: number; max: number } | undefined;
  children: (control: ControlProps) => ComponentChildren;
}

export function Field(props: FieldProps) {
  const generated = useId();
  const id = props.id ?? generated;
  const hintId = `${id}-hint`;
  const counterId = `${id}-count`;
  const messageId = `${id}-message`;
  const describedBy = [
    props.hint !== undefined ? hintId : '',
    props.counter !== undefined ? counterId : '',
    props.error !== undefined || props.warning !== undefined ? messageId : '',
  ]
    .filter((x) => x !== '')
    .join(' ');
  const over = props.counter !== undefined && props.counter.value > props.counter.max;
  return (
    <div class={props.error !== undefined ? 'field field--error' : 'field'}>
      <div class="field__top">
        <label for={id} class="field__label">
          {props.label}
        </label>
        {props.counter !== undefined && (
          <span id={counterId} class={over ? 'field__counter over' : 'field__counter'}>
            {props.counter.value} / {props.counter.max}
          </span>
        )}
      </div>
      {props.children({
        id,
        'aria-describedby': describedBy || undefined,
        'aria-invalid': props.error !== undefined,
      })}
      {props.hint !== undefined && (
        <p id={hintId} class="field__hint">
          {props.hint}
        </p>
      )}
      <p id={messageId} class="field__message" aria-live="polite">
        {props.error !== undefined ? (
          <span class="field__error">{props.error}</span>
        ) : props.warning !== undefined ? (
          <span class="field__warning">{props.warning}</span>
        ) : null}
      </p>
    </div>
  );
}
