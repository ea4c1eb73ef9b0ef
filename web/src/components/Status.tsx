// Loading and error states of a page or a table.
import { explain } from '../api/errors';

export function ErrorBanner(props: { error: unknown; onRetry?: () => void; what?: string }) {
  return (
    <div class="banner banner--error" role="alert">
      <p>
        {props.what !== undefined ? `${props.what}: ` : ''}
        {explain(props.error)}
      </p>
      {props.onRetry !== undefined && (
        <button type="button" onClick={props.onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

// Shown while a page's first answer is on its way; later reloads keep the old rows and only
// set aria-busy on the table.
export function Loading(props: { what: string }) {
  return (
    <p class="loading" role="status">
      <span class="spinner" aria-hidden="true" />
      Loading {props.what}…
    </p>
  );
}

export function Explain(props: { text: string | undefined }) {
  return props.text === undefined ? null : <p class="explain">{props.text}</p>;
}
