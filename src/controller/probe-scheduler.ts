// Runs the probe slots of every service: each on its interval with jitter (the first run spread
// over the interval), on one timer wheel; at most `maxConcurrentProbes` at once, the others
// queued for a place; each bounded by its timeout (a watchdog aborts one that overran it by a
// second). Every result goes into the service's history and its slot's health counts; the event
// stream is told of a slot's result changing only, and any change is handed to `evaluate`.
import type { Clock } from './clock.js';
import { message } from './error-text.js';
import { recordResult } from './health.js';
import type { ControllerEvent } from './model.js';
import type { ControllerOptions } from './options.js';
import type { RunningPlan } from './running-plan.js';
import type { ServiceState, Slot } from './service-state.js';
import { TimerWheel } from './timer-wheel.js';

export interface ProbeSchedulerContext {
  clock: Clock;
  options: Pick<ControllerOptions, 'tickMs' | 'maxConcurrentProbes' | 'jitter'>;
  /** Whether the controller runs (probes go on their timers). */
  running(): boolean;
  stopped(): boolean;
  services(): Iterable<ServiceState>;
  /** Whether `s` is still the state of its service (no plan applied since replaced it). */
  current(s: ServiceState): boolean;
  /** The generation applied now: its drivers run the probes. */
  plan: Pick<RunningPlan, 'generation'>;
  emit(event: ControllerEvent): void;
  /** A result changed a slot: health, outages and policy are looked at again. */
  evaluate(s: ServiceState): void;
}

export class ProbeScheduler {
  readonly #c: ProbeSchedulerContext;
  readonly #wheel: TimerWheel;
  #inFlight = 0;
  readonly #waiting: (() => void)[] = [];
  /** Resolved when the last probe running returns (stop waits for it). */
  #drained: (() => void) | undefined;
  #probesRun = 0;

  constructor(c: ProbeSchedulerContext) {
    this.#c = c;
    this.#wheel = new TimerWheel(c.clock, c.options.tickMs ?? 20);
  }

  /** Probes run since the controller was made. */
  get probesRun(): number {
    return this.#probesRun;
  }

  /** Timers held: the wheel's while it turns, and each slot's next run. */
  get timers(): number {
    let n = this.#wheel.turning ? 1 : 0;
    for (const s of this.#c.services()) for (const sl of s.slots) if (sl.cancel) n++;
    return n;
  }

  start(): void {
    this.#wheel.start();
  }

  /** Stops the wheel and every slot's timer. */
  stop(): void {
    this.#wheel.stop();
    for (const s of this.#c.services()) this.cancel(s);
  }

  /** Aborts the probes running; the queued ones get their place and return at once (stopped). */
  abort(): void {
    for (const s of this.#c.services())
      for (const slot of s.slots) slot.ac?.abort(new Error('the controller stops'));
    for (const w of this.#waiting.splice(0)) {
      this.#inFlight++;
      w();
    }
  }

  /** Probes running now, or given their place and about to run. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Resolves when the last probe running returns (when `inFlight` falls to 0). */
  drained(): Promise<void> {
    return new Promise<void>((resolve) => (this.#drained = resolve));
  }

  /** Puts every slot of `s` on its timer (`first`: its first run spread over its interval). */
  schedule(s: ServiceState, first: boolean): void {
    for (const slot of s.slots) {
      const interval = slot.spec.probe.interval;
      // The first run of each probe is spread over its interval, so that 1,000 services do
      // not all probe in the same millisecond.
      this.#schedule(s, slot, first ? this.#c.clock.random() * interval : interval);
    }
  }

  cancel(s: ServiceState): void {
    for (const slot of s.slots) {
      slot.cancel?.();
      slot.cancel = undefined;
    }
  }

  /** Runs every probe of `services` once now; resolves with the results recorded. */
  runNow(services: ServiceState[]): Promise<unknown> {
    return Promise.all(services.flatMap((s) => s.slots.map((slot) => this.#run(s, slot))));
  }

  #schedule(s: ServiceState, slot: Slot, delay: number): void {
    slot.cancel?.();
    slot.cancel = this.#wheel.after(delay, () => {
      slot.cancel = undefined;
      if (!this.#c.running() || !this.#c.current(s) || !s.slots.includes(slot)) return;
      const interval = slot.spec.probe.interval;
      const j = this.#c.options.jitter ?? 0.1;
      this.#schedule(s, slot, interval * (1 + (this.#c.clock.random() * 2 - 1) * j));
      // A probe still running (or queued) when its next turn comes is not started twice; one
      // that overran its timeout by a second is aborted (the drivers honour their timeouts:
      // this is the net under a driver that would not).
      if (slot.busy) {
        const limit = slot.spec.probe.timeout + 1_000;
        if (slot.startedAt !== undefined && this.#c.clock.now() - slot.startedAt > limit)
          slot.ac?.abort(new Error(`no answer within ${slot.spec.probe.timeout} ms`));
        return;
      }
      void this.#run(s, slot);
    });
  }

  /** Takes a place among the probes running, or a promise of one once a place frees. */
  #acquire(): Promise<void> | undefined {
    if (this.#inFlight < (this.#c.options.maxConcurrentProbes ?? 64)) {
      this.#inFlight++;
      return undefined;
    }
    return new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else if (--this.#inFlight === 0) this.#drained?.();
  }

  async #run(s: ServiceState, slot: Slot): Promise<void> {
    slot.busy = true;
    const wait = this.#acquire();
    if (wait !== undefined) await wait;
    try {
      if (this.#c.stopped()) return;
      const { probe } = slot.spec;
      const gen = this.#c.plan.generation;
      const ac = new AbortController();
      slot.ac = ac;
      slot.startedAt = this.#c.clock.now();
      let ok: boolean | undefined;
      let detail: string | undefined;
      let ms = 0;
      const started = performance.now();
      try {
        // The driver is looked up once per plan applied, not on every run.
        if (slot.probing?.gen !== gen)
          slot.probing = { gen, driver: gen.drivers.probe(s.name, probe.name, slot.spec.aimAt) };
        const r = await slot.probing.driver.probe({ signal: ac.signal });
        ok = r.ok;
        ms = r.latencyMs;
        if (!r.ok) detail = r.detail;
      } catch (e) {
        ms = Math.round(performance.now() - started);
        // The controller's own probe failing to run is a failure; an observer that cannot run
        // its probe (the witness unreachable) tells nothing about the site.
        ok = slot.spec.observer ? undefined : false;
        detail = `${slot.spec.observer ? `could not run from ${slot.spec.from}` : 'could not run'}: ${message(e)}`;
      } finally {
        delete slot.ac;
        delete slot.startedAt;
      }
      if (this.#c.stopped() || !this.#c.current(s) || !s.slots.includes(slot)) return;
      this.#record(s, slot, ok, ms, detail);
    } finally {
      this.#release();
      slot.busy = false;
    }
  }

  #record(
    s: ServiceState,
    slot: Slot,
    ok: boolean | undefined,
    ms: number,
    detail: string | undefined,
  ): void {
    const now = this.#c.clock.now();
    const site = slot.spec.site ?? s.activeSite;
    s.history.pushReusing(
      () => ({ t: 0, probe: '', site: undefined, from: '', ok: false, ms: 0, detail: undefined }),
      (x) => {
        x.t = now;
        x.probe = slot.spec.probe.name;
        x.site = site;
        x.from = slot.spec.from;
        x.ok = ok === true;
        x.ms = ms;
        x.detail = detail;
      },
    );
    this.#probesRun++;
    const flipped = slot.last?.ok !== ok;
    if (slot.last) {
      slot.last.ok = ok === true;
      slot.last.at = now;
      slot.last.ms = ms;
      slot.last.detail = detail;
    } else slot.last = { ok: ok === true, at: now, ms, detail };
    const failures = slot.failures;
    const changed = recordResult(slot, ok, now);
    // Changing (failing but not down yet, or passing but not up yet): the next probe comes after
    // `fastInterval`, so that confirming a change takes one interval and a few fast ones.
    const { fastInterval, interval } = slot.spec.probe;
    if (
      fastInterval !== undefined &&
      fastInterval < interval &&
      ((ok === false && slot.state !== 'down') || (ok === true && slot.state !== 'up'))
    )
      this.#schedule(s, slot, fastInterval);
    // Every sample is in the history; the stream carries the changes only (2,000 probes a
    // second would drown whoever follows it).
    if (flipped)
      this.#c.emit({
        type: 'probe',
        sample: {
          at: new Date(now).toISOString(),
          service: s.name,
          probe: slot.spec.probe.name,
          ...(site !== undefined ? { site } : {}),
          from: slot.spec.from,
          ok: ok === true,
          ms,
          ...(detail !== undefined ? { detail } : {}),
        },
      });
    // The steady state (a passing probe that passed before) changes nothing to evaluate.
    if (flipped || changed || slot.failures !== failures) this.#c.evaluate(s);
  }
}
