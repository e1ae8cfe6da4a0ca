// The agent's side of a fence lease (src/controller/leases.ts has the controller's). On a
// database node, for each data set with a `fenceLease` the node holds a copy of, it renews the
// lease with the controller every `renewEvery`, and counts it from the moment it *sent* the
// renewal: the controller counts from when it granted it, later, so the agent's lease always ends
// first. When its lease runs out (less a guard, the time a stop takes), or the controller answers
// `revoked`, it fences: stops the node's server if it is a writable primary — a replica is left
// alone. It never starts or unfences anything: bringing a fenced node back is a runbook's work.
import type { LeaseAnswer, LeaseKey } from '../../controller/index.js';

export interface LeaseSpec extends LeaseKey {
  ttlMs: number;
  renewEveryMs: number;
}

export interface FenceAgentOptions {
  node: string;
  leases: readonly LeaseSpec[];
  /** One renewal round trip; rejects on any failure (unreachable, refused, timeout). */
  renew(keys: readonly LeaseKey[], signal: AbortSignal): Promise<LeaseAnswer[]>;
  /** Stops the data set's server on this node if it is a writable primary; tells what it did. */
  fence(key: LeaseKey, why: string): Promise<string>;
  log(line: string): void;
  /** Monotonic ms (performance.now); tests pass a fake. */
  now?: () => number;
}

/** How long before the lease's end the agent fences: a quarter of ttl, at most 500 ms. */
export function guardMs(ttlMs: number): number {
  return Math.min(500, Math.floor(ttlMs / 4));
}

interface Held {
  spec: LeaseSpec;
  /** When to fence, on the agent's monotonic clock; undefined until the first grant. */
  fenceAt?: number;
  /** Fenced since the last grant: not again until a new grant (or a revocation) asks. */
  fenced: boolean;
  fencing: boolean;
  /** The last `unknown` answer's reason, so that it is logged once. */
  unknown?: string;
}

export class FenceAgent {
  readonly #held: Held[];
  readonly #now: () => number;
  #renewTimer: NodeJS.Timeout | undefined;
  #checkTimer: NodeJS.Timeout | undefined;
  #inFlight: AbortController | undefined;
  #stopped = false;
  #lastError = '';

  constructor(private readonly o: FenceAgentOptions) {
    this.#held = o.leases.map((spec) => ({ spec, fenced: false, fencing: false }));
    this.#now = o.now ?? (() => performance.now());
  }

  get renewEveryMs(): number {
    return Math.max(20, Math.min(...this.#held.map((h) => h.spec.renewEveryMs)));
  }

  start(): void {
    if (this.#held.length === 0) return;
    const tick = () => {
      if (this.#stopped) return;
      void this.renewOnce().finally(() => {
        if (!this.#stopped) this.#renewTimer = setTimeout(tick, this.renewEveryMs);
      });
    };
    tick();
    // Deadlines are checked often, not by one timer per lease: a late renewal answer must not
    // move a deadline that has already passed.
    this.#checkTimer = setInterval(() => void this.check(), Math.min(25, this.renewEveryMs));
  }

  /** One renewal: bounded by the renewal interval, its answers applied. */
  async renewOnce(): Promise<void> {
    const sent = this.#now();
    const ac = new AbortController();
    this.#inFlight = ac;
    const timer = setTimeout(() => ac.abort(), this.renewEveryMs);
    try {
      const answers = await this.o.renew(
        this.#held.map((h) => ({ service: h.spec.service, dataSet: h.spec.dataSet })),
        ac.signal,
      );
      if (this.#lastError) this.o.log('renewing again');
      this.#lastError = '';
      for (const a of answers) {
        const h = this.#held.find(
          (x) => x.spec.service === a.service && x.spec.dataSet === a.dataSet,
        );
        if (!h) continue;
        if (a.state === 'granted') {
          if (h.fenceAt === undefined && !h.fenced)
            this.o.log(`${a.service}/${a.dataSet}: lease granted (ttl ${a.ttlMs} ms)`);
          h.fenceAt = sent + a.ttlMs - guardMs(a.ttlMs);
          h.fenced = false;
        } else if (a.state === 'revoked') {
          h.fenceAt = undefined;
          await this.fenceNow(h, 'the controller revoked the lease');
        } else if (a.state === 'unknown' && h.unknown !== a.why) {
          // Told once, not on every renewal.
          this.o.log(`${a.service}/${a.dataSet}: the controller knows no lease here (${a.why})`);
        }
        h.unknown = a.state === 'unknown' ? a.why : undefined;
      }
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      if (msg !== this.#lastError) this.o.log(`cannot renew: ${msg}`);
      this.#lastError = msg;
    } finally {
      clearTimeout(timer);
      if (this.#inFlight === ac) this.#inFlight = undefined;
    }
  }

  /** Fences every lease whose time is up. */
  async check(): Promise<void> {
    const now = this.#now();
    for (const h of this.#held) {
      if (h.fenceAt !== undefined && now >= h.fenceAt) {
        h.fenceAt = undefined;
        await this.fenceNow(h, 'its lease ran out');
      }
    }
  }

  private async fenceNow(h: Held, why: string): Promise<void> {
    if (h.fencing || h.fenced) return;
    h.fencing = true;
    const name = `${h.spec.service}/${h.spec.dataSet}`;
    try {
      const did = await this.o.fence({ service: h.spec.service, dataSet: h.spec.dataSet }, why);
      h.fenced = true;
      this.o.log(`${name} on ${this.o.node}: ${why}: ${did}`);
    } catch (e) {
      // Tried again at the next revocation, or at once by check() (fenceAt is not re-armed).
      this.o.log(
        `${name} on ${this.o.node}: ${why}, fence FAILED: ${e instanceof Error ? e.message : String(e)}`,
      );
      h.fenceAt = this.#now() + 500;
    } finally {
      h.fencing = false;
    }
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#renewTimer);
    clearInterval(this.#checkTimer);
    this.#inFlight?.abort();
  }
}
