// Time for the controller, injected so that tests are deterministic: what time it is, one-shot
// timers that can be cancelled, and the randomness of the probes' jitter.

export interface Clock {
  now(): number;
  /** Calls `fn` once after `ms`; the returned function cancels it (safe to call twice). */
  after(ms: number, fn: () => void): () => void;
  /** In [0, 1): the jitter of probe intervals. */
  random(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  after(ms, fn) {
    const t = setTimeout(fn, Math.max(0, ms));
    return () => clearTimeout(t);
  },
  random: () => Math.random(),
};

/**
 * A clock that only moves when told (tests): `advance(ms)` fires every timer due by then, in
 * order of their time, and lets the promises they start settle.
 */
export class ManualClock implements Clock {
  #now: number;
  #seq = 0;
  readonly #timers = new Map<number, { at: number; fn: () => void }>();

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  random(): number {
    return 0.5;
  }

  after(ms: number, fn: () => void): () => void {
    const id = ++this.#seq;
    this.#timers.set(id, { at: this.#now + Math.max(0, ms), fn });
    return () => {
      this.#timers.delete(id);
    };
  }

  /** Timers not fired nor cancelled. */
  get pending(): number {
    return this.#timers.size;
  }

  async advance(ms: number): Promise<void> {
    const end = this.#now + ms;
    // Bounded: each round fires at least one timer, and a timer set while advancing for a time
    // after `end` is left for later.
    for (let round = 0; round < 1_000_000; round++) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.#timers) if (e[1].at <= end && (!next || e[1].at < next[1].at)) next = e;
      if (!next) break;
      this.#timers.delete(next[0]);
      this.#now = Math.max(this.#now, next[1].at);
      next[1].fn();
      await settle();
    }
    this.#now = end;
    await settle();
  }
}

/** Lets pending promise callbacks and I/O callbacks run. */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setImmediate(r));
}
