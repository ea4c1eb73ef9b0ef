// Server-side paging: "21–40 of 3,456", first/previous/next/last, rows per page. The page count
// always follows the current filter (total_count of the filtered query).
import { useEffect } from 'preact/hooks';

import { formatCount } from '../lib/format';
import type { Paging } from '../lib/usePaging';

export const PAGE_SIZES = [20, 50, 100] as const;

export interface PagerProps {
  label: string; // "secrets", for the navigation's accessible name
  paging: Paging;
  total: number; // total_count of the current (filtered) query
  shown: number; // rows on this page
}

export function Pager(props: PagerProps) {
  const { total } = props;
  const { offset, count, setOffset, setCount } = props.paging;
  // The rows of the last page were deleted: show the page before it.
  useEffect(() => {
    if (props.shown === 0 && offset > 0 && total > 0) {
      setOffset(Math.floor((total - 1) / count) * count);
    }
  }, [props.shown, offset, total, count, setOffset]);
  const page = Math.floor(offset / count) + 1;
  const pages = Math.max(1, Math.ceil(total / count));
  const from = total === 0 ? 0 : offset + 1;
  const to = offset + props.shown;
  const last = (pages - 1) * count;
  return (
    <nav class="pager" aria-label={`Pages of ${props.label}`}>
      <span class="pager__range">
        {total === 0
          ? `No ${props.label}`
          : `${formatCount(from)}–${formatCount(to)} of ${formatCount(total)}`}
      </span>
      <span class="pager__buttons">
        <button type="button" onClick={() => setOffset(0)} disabled={offset === 0}>
          First
        </button>
        <button
          type="button"
          onClick={() => setOffset(Math.max(0, offset - count))}
          disabled={offset === 0}
        >
          Previous
        </button>
        <span class="pager__page">
          Page {formatCount(page)} of {formatCount(pages)}
        </span>
        <button
          type="button"
          onClick={() => setOffset(offset + count)}
          disabled={offset + count >= total}
        >
          Next
        </button>
        <button
          type="button"
          onClick={() => setOffset(last)}
          disabled={offset + count >= total}
        >
          Last
        </button>
      </span>
      <label class="pager__size">
        Rows per page
        <select
          value={String(count)}
          onChange={(event) => setCount(Number((event.target as HTMLSelectElement).value))}
        >
          {PAGE_SIZES.map((n) => (
            <option key={n} value={String(n)}>
              {n}
            </option>
          ))}
        </select>
      </label>
    </nav>
  );
}
