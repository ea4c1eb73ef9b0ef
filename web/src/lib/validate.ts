// The field rules of the API (docs/API.md), checked as the person types so that most refusals
// never reach the server. The server stays the judge: its answer is shown when it still refuses.
// Lengths are counted in Unicode code points, as the server counts them.

export const SECRET_NAME_RE = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
export const SECRET_VALUE_MAX = 8192;
export const DESCRIPTION_MAX = 200;
export const KEY_NAME_MAX = 50;
export const APP_NAME_RE = /^[a-z][a-z0-9-]{1,64}$/; // AddApplication
export const APP_RENAME_RE = /^[a-z][a-z0-9-]{1,79}$/; // SetApplicationInfo

export const codePoints = (text: string): number => {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
};

function firstBad(text: string, allowed: RegExp): string | undefined {
  for (const ch of text) if (!allowed.test(ch)) return ch;
  return undefined;
}

const show = (ch: string): string => (ch === ' ' ? 'a space' : `"${ch}"`);

// undefined when valid.
export function secretNameProblem(name: string): string | undefined {
  if (name === '') return 'Enter a name.';
  if (!/^[A-Za-z]/.test(name)) return 'A name starts with a letter (A–Z or a–z).';
  const bad = firstBad(name, /[A-Za-z0-9_]/);
  if (bad !== undefined) return `Only letters, digits and _ are allowed; ${show(bad)} is not.`;
  if (name.length > 64) return `At most 64 characters (now ${name.length}).`;
  return SECRET_NAME_RE.test(name) ? undefined : 'Not a valid name.';
}

export function secretValueProblem(value: string, required: boolean): string | undefined {
  if (value === '') return required ? 'Enter a value.' : undefined;
  const n = codePoints(value);
  if (n > SECRET_VALUE_MAX) return `At most ${SECRET_VALUE_MAX} characters (now ${n}).`;
  if (value.includes('\u0000')) return 'A value cannot contain NUL characters.';
  return undefined;
}

export function secretValueWarning(value: string): string | undefined {
  if (value !== '' && (/^\s/.test(value) || /\s$/.test(value))) {
    return 'The value starts or ends with whitespace (a space or a line break). It is kept ' +
      'exactly as entered.';
  }
  return undefined;
}

export function descriptionProblem(text: string): string | undefined {
  const n = codePoints(text);
  if (n > DESCRIPTION_MAX) return `At most ${DESCRIPTION_MAX} characters (now ${n}).`;
  if (text.includes('\u0000')) return 'A description cannot contain NUL characters.';
  return undefined;
}

export function applicationNameProblem(name: string, rename = false): string | undefined {
  const max = rename ? 80 : 65;
  if (name === '') return 'Enter a name.';
  if (!/^[a-z]/.test(name)) return 'A name starts with a lowercase letter (a–z).';
  const bad = firstBad(name, /[a-z0-9-]/);
  if (bad !== undefined) {
    return `Only lowercase letters, digits and - are allowed; ${show(bad)} is not.`;
  }
  if (name.length < 2) return 'At least 2 characters.';
  if (name.length > max) return `At most ${max} characters (now ${name.length}).`;
  return (rename ? APP_RENAME_RE : APP_NAME_RE).test(name) ? undefined : 'Not a valid name.';
}

export function keyNameProblem(name: string): string | undefined {
  const n = codePoints(name);
  return n > KEY_NAME_MAX ? `At most ${KEY_NAME_MAX} characters (now ${n}).` : undefined;
}
