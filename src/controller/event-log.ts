// The controller's one event stream: ids 1, 2, 3... without gaps for the controller's lifetime
// (the SSE `Last-Event-ID`), the newest `capacity` kept. A reader asking for events after an id
// that fell out of the buffer (or an id this controller never issued: another lifetime) is told
// `gap: true` and gets what is left, so that it re-reads the full state instead of trusting a
// partial stream.
import type { ControllerEvent, SequencedEvent } from './model.js';
import { Ring } from './ring.js';

export class EventLog {
  readonly #ring: Ring<SequencedEvent>;
  readonly #listeners = new Set<(e: SequencedEvent) => void>();
  #lastId = 0;

  constructor(
    capacity: number,
    private readonly now: () => number,
    private readonly onListenerError?: (e: unknown) => void,
  ) {
    this.#ring = new Ring(capacity);
  }

  get lastId(): number {
    return this.#lastId;
  }

  emit(event: ControllerEvent): SequencedEvent {
    const e: SequencedEvent = {
      id: ++this.#lastId,
      at: new Date(this.now()).toISOString(),
      event,
    };
    this.#ring.push(e);
    for (const l of this.#listeners) {
      try {
        l(e);
      } catch (err) {
        this.onListenerError?.(err);
      }
    }
    return e;
  }

  since(afterId: number): { events: SequencedEvent[]; gap: boolean } {
    const all = this.#ring.last();
    const first = all[0]?.id ?? this.#lastId + 1;
    if (afterId > this.#lastId || afterId < 0) return { events: all, gap: true };
    return { events: all.filter((e) => e.id > afterId), gap: afterId < first - 1 };
  }

  subscribe(listener: (e: SequencedEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }
}
