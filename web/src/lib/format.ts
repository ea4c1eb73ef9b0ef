// Display helpers.

const numbers = new Intl.NumberFormat('en-US');

export const formatCount = (n: number): string => numbers.format(n);

// "YYYY-MM-DD HH:MM:SS" (UTC, from the API) shown without the seconds; the full value in title.
export const shortTime = (apiTime: string | undefined): string =>
  apiTime ? apiTime.slice(0, 16) : '';

// The short part of a full application name ("payments.acme.voximplant.com" -> "payments").
export const shortAppName = (full: string): string => {
  const dot = full.indexOf('.');
  return dot < 0 ? full : full.slice(0, dot);
};

export const plural = (n: number, one: string, many = `${one}s`): string =>
  `${formatCount(n)} ${n === 1 ? one : many}`;

// "2026-01-05T10:00" or "2026-01-05T10:00:07" (datetime-local) -> "2026-01-05 10:00:00".
export function apiTimeFromInput(value: string): string | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2})?/.exec(value);
  return m ? `${m[1]} ${m[2]}${m[3] ?? ':00'}` : undefined;
}

// A name for a downloaded file: "<prefix>-20260105-100007.<ext>" (UTC).
export function stampedName(prefix: string, ext: string, date = new Date()): string {
  const s = date.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${prefix}-${s}.${ext}`;
}
