// Pure: the SSE stream's messages. Each message's id is the SequencedEvent id (1, 2, ... with no
// gaps); its data is the SequencedEvent as JSON (a bare ControllerEvent is accepted too, with the
// message's id). A `gap` event, or an id that skips one, means events were missed: every page
// refetches what it shows.
import type { ControllerEvent, SequencedEvent } from '../../../src/server/api-types.js';

export const EVENT_TYPES = [
  'probe',
  'service',
  'outage',
  'recovered',
  'rpo-breach',
  'replication-job',
  'run',
  'journal',
  'plan',
] as const;

/** Parses one message's data; undefined when it is not an event the dashboard knows. */
export function parseEvent(data: string, lastEventId?: string): SequencedEvent | undefined {
  let v: unknown;
  try {
    v = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (v === null || typeof v !== 'object') return undefined;
  const o = v as Record<string, unknown>;
  const inner = o.event !== null && typeof o.event === 'object' ? o.event : o;
  const type = (inner as { type?: unknown }).type;
  if (typeof type !== 'string' || !(EVENT_TYPES as readonly string[]).includes(type)) {
    return undefined;
  }
  const id = typeof o.id === 'number' ? o.id : Number(lastEventId);
  return {
    id: Number.isFinite(id) ? id : 0,
    at: typeof o.at === 'string' ? o.at : new Date().toISOString(),
    event: inner as ControllerEvent,
  };
}

/** Follows the ids: reports a gap when one skips (or the server says so). */
export class SequenceTracker {
  last: number | undefined;
  private reconnected = false;

  /** The stream (re)opened: its first id may restart (a new controller) and is checked, not dropped. */
  opened(): void {
    this.reconnected = this.last !== undefined;
  }

  /** `gap`: events were missed before this one; `stale`: already seen, ignore it. */
  next(id: number): { gap: boolean; stale: boolean } {
    const prev = this.last;
    if (this.reconnected) {
      this.reconnected = false;
      this.last = id;
      return { gap: prev !== undefined && id !== prev + 1, stale: false };
    }
    if (prev !== undefined && id <= prev) return { gap: false, stale: true };
    this.last = id;
    return { gap: prev !== undefined && id > prev + 1, stale: false };
  }
}
