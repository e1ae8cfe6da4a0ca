// The controller's periodic work (the RPO reads, the run watch): each runs again `ms` after its
// last run ended (never twice at once), while the controller runs; a failure is logged and the
// work goes on. Stopping cancels every timer.
import type { Clock } from './clock.js';
import { message } from './error-text.js';

export class Periodic {
  readonly #timers = new Set<() => void>();

  constructor(
    private readonly clock: Clock,
    private readonly running: () => boolean,
    private readonly log: (line: string) => void,
  ) {}

  /** Timers held now (0 once stopped). */
  get timers(): number {
    return this.#timers.size;
  }

  /** Runs `fn` in `first` ms, then `ms` after each run ended. */
  every(ms: number, fn: () => Promise<void>, first = ms): void {
    let cancel: () => void = () => undefined;
    const tick = () => {
      this.#timers.delete(cancel);
      if (!this.running()) return;
      void fn()
        .catch((e) => this.log(`background: ${message(e)}`))
        .finally(() => {
          if (!this.running()) return;
          cancel = this.clock.after(ms, tick);
          this.#timers.add(cancel);
        });
    };
    cancel = this.clock.after(first, tick);
    this.#timers.add(cancel);
  }

  stop(): void {
    for (const cancel of this.#timers) cancel();
    this.#timers.clear();
  }
}
