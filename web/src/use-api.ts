// Fetch-on-mount with reload; the page keeps the last good data while a reload runs.
import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from './api.js';

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
  setData: React.Dispatch<React.SetStateAction<T | undefined>>;
}

export function useApi<T>(path: string | undefined): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(path !== undefined);
  const [tick, setTick] = useState(0);
  const current = useRef(path);
  current.current = path;

  // biome-ignore lint/correctness/useExhaustiveDependencies: `tick` forces a reload
  useEffect(() => {
    if (path === undefined) return;
    const ctl = new AbortController();
    setLoading(true);
    api<T>(path, { signal: ctl.signal }).then(
      (d) => {
        if (ctl.signal.aborted) return;
        setData(d);
        setError(undefined);
        setLoading(false);
      },
      (err: unknown) => {
        if (ctl.signal.aborted) return;
        setError(err);
        setLoading(false);
      },
    );
    return () => ctl.abort();
  }, [path, tick]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload, setData };
}
