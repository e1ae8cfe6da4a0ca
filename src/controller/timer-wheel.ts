// The probes' timers: one wheel turning every `tickMs` (default 20 ms), each callback due in a
// bucket of turns. 2,000 probes a second then wake the process 50 times a second, not 2,000
// (each wake-up costs a system call and a context switch). A late turn catches up on the turns
// it missed; a clock set back restarts the count from now, so no callback stalls.
import type { Clock } from './clock.js';

export class TimerWheel {
  #turn = 0;
  #start = 0;
  #cancel: (() => void) | undefined;
  #stopped = false;
  readonly #buckets = new Map<number, Set<() => void>>();

  constructor(
    private readonly clock: Clock,
    private readonly tickMs = 20,
  ) {}

  /** Whether the wheel is turning (it holds one timer then). */
  get turning(): boolean {
    return this.#cancel !== undefined;
  }

  /** Calls `fn` once, `ms` from now (rounded to turns, at least one); returns its cancel. */
  after(ms: number, fn: () => void): () => void {
    const turns = Math.max(1, Math.round(ms / this.tickMs));
    const at = this.#turn + turns;
    let bucket = this.#buckets.get(at);
    if (!bucket) {
      bucket = new Set();
      this.#buckets.set(at, bucket);
    }
    bucket.add(fn);
    const b = bucket;
    return () => {
      b.delete(fn);
    };
  }

  start(): void {
    if (this.#cancel) return;
    const tick = this.tickMs;
    this.#start = this.clock.now() - this.#turn * tick;
    const next = () => {
      this.#cancel = this.clock.after(tick, () => {
        this.#cancel = undefined;
        let target = Math.floor((this.clock.now() - this.#start) / tick);
        if (target <= this.#turn) {
          // The clock went back (or did not move): one turn, and count from now.
          target = this.#turn + 1;
          this.#start = this.clock.now() - target * tick;
        }
        // Bounded: a jump of the clock by more than 500 turns fires the due buckets in one go.
        const end = Math.min(target, this.#turn + 500);
        while (this.#turn < end) this.#fire(++this.#turn);
        if (target > end) {
          for (const k of [...this.#buckets.keys()]
            .filter((x) => x <= target)
            .sort((a, b) => a - b))
            this.#fire(k);
          this.#turn = target;
        }
        // A callback may have stopped the wheel.
        if (this.#stopped) return;
        next();
      });
    };
    this.#stopped = false;
    next();
  }

  /** Stops turning and forgets every pending callback. */
  stop(): void {
    this.#stopped = true;
    this.#cancel?.();
    this.#cancel = undefined;
    this.#buckets.clear();
  }

  #fire(k: number): void {
    const due = this.#buckets.get(k);
    if (!due) return;
    this.#buckets.delete(k);
    for (const fn of due) fn();
  }
}
