// Server-side paging state of a table: offset and page size; a new page size starts again at the
// first page. The Pager shows it and keeps it valid (e.g. after the last page was emptied).
import { useCallback, useMemo, useState } from 'preact/hooks';

export interface Paging {
  offset: number;
  count: number;
  setOffset: (offset: number) => void;
  setCount: (count: number) => void;
}

export function usePaging(initialCount = 20): Paging {
  const [offset, setOffset] = useState(0);
  const [count, setCountState] = useState(initialCount);
  const setCount = useCallback((n: number) => {
    setCountState(n);
    setOffset(0);
  }, []);
  return useMemo(() => ({ offset, count, setOffset, setCount }), [offset, count, setCount]);
}
