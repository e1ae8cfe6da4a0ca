// One EventSource for the whole dashboard (GET /api/v1/events, resumed by the browser with
// Last-Event-ID). Pages subscribe to the events they show; a gap (a `gap` event from the
// server, or an id that skips) tells every subscriber to refetch.
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { type SequencedEvent, SSE_GAP_EVENT } from '../../src/server/api-types.js';
import { API } from './api.js';
import { EVENT_TYPES, parseEvent, SequenceTracker } from './lib/events.js';

export type Connection = 'connecting' | 'live' | 'reconnecting' | 'offline';
export type LiveMessage = { kind: 'event'; event: SequencedEvent } | { kind: 'gap' };
type Listener = (m: LiveMessage) => void;

interface Live {
  connection: Connection;
  subscribe(fn: Listener): () => void;
}

const LiveContext = createContext<Live>({ connection: 'offline', subscribe: () => () => {} });

export function LiveProvider({ children }: { children: React.ReactNode }) {
  const [connection, setConnection] = useState<Connection>('connecting');
  const listeners = useRef(new Set<Listener>());

  useEffect(() => {
    const tracker = new SequenceTracker();
    let source: EventSource | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let closed = false;
    const emit = (m: LiveMessage) => {
      for (const fn of listeners.current) fn(m);
    };
    const onMessage = (e: MessageEvent<string>) => {
      const ev = parseEvent(e.data, e.lastEventId);
      if (!ev) return;
      const seq = tracker.next(ev.id);
      if (seq.stale) return;
      if (seq.gap) emit({ kind: 'gap' });
      emit({ kind: 'event', event: ev });
    };
    const open = () => {
      source = new EventSource(`${API}/events`, { withCredentials: true });
      source.addEventListener('open', () => {
        tracker.opened();
        setConnection('live');
      });
      source.addEventListener('error', () => {
        if (closed) return;
        if (source?.readyState === EventSource.CLOSED) {
          // Refused (e.g. 401) or gone: the browser will not retry by itself.
          setConnection('offline');
          source.close();
          retry = setTimeout(open, 5000);
        } else setConnection('reconnecting');
      });
      source.addEventListener('message', onMessage);
      for (const t of EVENT_TYPES) source.addEventListener(t, onMessage);
      source.addEventListener(SSE_GAP_EVENT, () => emit({ kind: 'gap' }));
    };
    open();
    return () => {
      closed = true;
      if (retry) clearTimeout(retry);
      source?.close();
    };
  }, []);

  const subscribe = useCallback((fn: Listener) => {
    listeners.current.add(fn);
    return () => {
      listeners.current.delete(fn);
    };
  }, []);
  const value = useMemo<Live>(() => ({ connection, subscribe }), [connection, subscribe]);
  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}

export function useConnection(): Connection {
  return useContext(LiveContext).connection;
}

/** Calls `fn` (latest version) for every live message while mounted. */
export function useLive(fn: Listener): void {
  const { subscribe } = useContext(LiveContext);
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => subscribe((m) => ref.current(m)), [subscribe]);
}
