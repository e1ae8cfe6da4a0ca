// The leases a run holds while a process executes it: `run/<id>`, whose fencing token every
// journal write carries, and `service/<name>` for each service, so that one run at a time acts
// on a service. The owner is the run itself (`run:<id>`): a resuming process takes the leases
// over with new tokens, and an earlier incarnation still alive is fenced out (its writes fail
// with LB_E_STORE_STALE_TOKEN). Renewed in the background; on loss, `signal` aborts whatever the
// run was doing.
import { LifeboatError } from '../core/errors/index.js';
import { type Lease, type StateStore, serviceLeaseKey } from '../store/index.js';

export const runLeaseKey = (runId: string): string => `run/${runId}`;
export const runLeaseOwner = (runId: string): string => `run:${runId}`;

export class LeaseKeeper {
  readonly #store: StateStore;
  #leases: Lease[];
  readonly #controller = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #lost: unknown;

  private constructor(store: StateStore, leases: Lease[]) {
    this.#store = store;
    this.#leases = leases;
  }

  /** Takes the run's lease and its services' leases, or none: LB_E_ENGINE_SERVICE_BUSY. */
  static async acquire(
    store: StateStore,
    runId: string,
    services: readonly string[],
    ttlMs: number,
  ): Promise<LeaseKeeper> {
    const owner = runLeaseOwner(runId);
    const keys = [runLeaseKey(runId), ...[...services].sort().map(serviceLeaseKey)];
    const held: Lease[] = [];
    for (const key of keys) {
      const lease = await store.leases.acquire(key, owner, ttlMs);
      if (!lease) {
        for (const l of held) await store.leases.release(l);
        const info = await store.leases.get(key);
        throw new LifeboatError(
          'LB_E_ENGINE_SERVICE_BUSY',
          `${key} is held by ${info?.holder?.owner ?? 'another run'} until ${info?.holder ? new Date(info.holder.expiresAt).toISOString() : 'its lease lapses'}`,
          { details: { key, holder: info?.holder?.owner ?? null } },
        );
      }
      held.push(lease);
    }
    const keeper = new LeaseKeeper(store, held);
    keeper.#schedule(ttlMs);
    return keeper;
  }

  /** The run lease's fencing token, carried by every journal write. */
  get token(): number {
    return (this.#leases[0] as Lease).token;
  }

  /** Aborts when a lease is lost: the run must stop touching anything. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Why the leases were lost, if they were. */
  get lost(): unknown {
    return this.#lost;
  }

  #schedule(ttlMs: number): void {
    this.#timer = setInterval(() => void this.renew(), Math.max(50, Math.floor(ttlMs / 3)));
    this.#timer.unref();
  }

  /** Renews every lease now; on failure, marks them lost and aborts `signal`. */
  async renew(): Promise<void> {
    if (this.#controller.signal.aborted) return;
    try {
      this.#leases = await Promise.all(this.#leases.map((l) => this.#store.leases.renew(l)));
    } catch (e) {
      this.#lost = e;
      clearInterval(this.#timer);
      this.#controller.abort(e);
    }
  }

  /** Stops renewing and gives the leases up (the next run need not wait for them to lapse). */
  async release(): Promise<void> {
    clearInterval(this.#timer);
    if (!this.#controller.signal.aborted) this.#controller.abort(new Error('released'));
    for (const l of this.#leases) await this.#store.leases.release(l).catch(() => false);
  }
}
