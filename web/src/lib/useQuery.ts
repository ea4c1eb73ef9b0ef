// Loads data for a page and reloads it on demand. While a reload runs the previous data stays
// on screen (no flash of an empty table); an answer that arrives after a newer request started
// is ignored (typing in a search box never shows an older result last).
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export interface Query<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

export function useQuery<T>(load: () => Promise<T>, deps: unknown[]): Query<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    const mine = ++latest.current;
    setLoading(true);
    load().then(
      (value) => {
        if (mine !== latest.current) return;
        setData(value);
        setError(undefined);
        setLoading(false);
      },
      (failure: unknown) => {
        if (mine !== latest.current) return;
        setData(undefined);
        setError(failure);
        setLoading(false);
      },
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  useEffect(
    () => () => {
      latest.current += 1; // unmounted: drop late answers
    },
    [],
  );
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload };
}
