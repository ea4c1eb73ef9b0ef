// What a refused or failed call means, in words for the person (docs/API.md "Errors"). The
// server's own message is kept where it is already the best explanation; the code is always
// shown, so a person can look it up or report it.

import { ApiError } from './client';

const CLOCK =
  "This computer's clock and the server's differ by more than a minute, so the server refuses " +
  'the tokens this tab signs. Correct the clock and try again.';

export function explain(error: unknown): string {
  if (!(error instanceof ApiError)) {
    return error instanceof Error ? error.message : 'Something went wrong.';
  }
  const text = words(error);
  return error.code > 0 ? `${text} (error ${error.code})` : text;
}

function words(e: ApiError): string {
  switch (e.code) {
    case 0:
      return 'Cannot reach the server. Check that voxsecrets is running, then try again.';
    case -413:
      return 'The request is too large for the server (64 KiB at most).';
    case -429:
      return 'The server is busy. Try again in a moment.';
    case 1:
    case 2:
      return 'The server failed to do this; its log has the details.';
    case 4:
      return "The server's database is unavailable right now. Try again in a moment.";
    case 100:
      return 'The server does not accept this key: it may have been deleted, or it belongs to ' +
        'another server.';
    case 104:
      return "Your key's roles do not allow this.";
    case 455:
    case 456:
      return CLOCK;
    case 129:
      return 'An application with this name already exists.';
    case 493:
      return e.field === 'secret_name' || e.field === 'new_secret_name'
        ? 'A secret with this name already exists in this application.'
        : e.message;
    default:
      return e.message;
  }
}
