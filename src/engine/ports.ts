// What the engine needs from the outside world, given to it by the composition root
// (src/cli/compose/step-drivers.ts builds these from the plan and the concrete drivers). The
// engine only knows the driver interface (src/drivers/driver.ts) and these few extra shapes: it
// never imports a concrete driver, so unit tests run it on fakes and production on real systems.
import type {
  Driver,
  EffectResult,
  OperationContext,
  Probing,
  ReplicaSource,
} from '../drivers/driver.js';

/** What the engine must know of a data set to judge readiness and two-primary safety. */
export interface DataSetFacts {
  kind: string;
  /** The plan's replication mode is synchronous: a commit waits for the replica. */
  synchronous: boolean;
  /** Every node holding a copy (the source first), whatever their role now. */
  nodes: string[];
}

/** A step that runs something that is not known to be idempotent (a command, a playbook). */
export interface Runnable extends Driver {
  run(ctx: OperationContext): Promise<EffectResult>;
}

/** A mirror that can copy once more (rsync). Idempotent: copying again changes nothing more. */
export interface Syncable extends Driver {
  sync(ctx: OperationContext): Promise<EffectResult>;
}

export interface StepDrivers {
  /** The database server of one node of a data set (Replicating, Promotable, Fenceable...). */
  database(service: string, dataSet: string, node: string): Driver;
  dataSet(service: string, dataSet: string): DataSetFacts;
  /** Where a replica rebuilt on another node replicates from: the node's address and the port. */
  replicaSource(service: string, dataSet: string, node: string): ReplicaSource;
  /** The driver of a traffic item, by its index in the service's `traffic`. */
  traffic(service: string, index: number): Driver;
  /** The index of the traffic item whose name (record, backend, VIP) is `name`, if any. */
  trafficIndex(service: string, name: string): number | undefined;
  /** A health probe; with `site`, aimed at that site where the probe can be (a SQL probe without a node). */
  probe(service: string, name: string, site?: string): Probing;
  /** The probes that tell whether one site can serve the service (SQL and node probes at that site). */
  siteProbes(service: string, site: string): Probing[];
  /** An Ansible run (a step of kind upgrade or redeploy, or `ansible.playbook` in a plan step). */
  playbook(service: string, args: Record<string, unknown>): Runnable;
  /** One more copy of a mirrored data set from one node to another. */
  mirror(service: string, dataSet: string, from: string, to: string): Syncable;
  /**
   * When the copy of a mirrored (`files`) data set on `node` was last known complete (ms since
   * the epoch: the last sync's T0, read on that node), or undefined when it cannot tell.
   */
  mirrorSyncedThrough(
    service: string,
    dataSet: string,
    node: string,
    signal: AbortSignal,
  ): Promise<number | undefined>;
  /** Runs `args.argv` on a node (`command.run`). */
  command(node: string, args: Record<string, unknown>): Runnable;
  /** An HTTP request that must answer as expected (`http.get`). */
  http(args: Record<string, unknown>): Probing;
  /** The site of a node or a site name itself; undefined when neither. */
  siteOf(nodeOrSite: string): string | undefined;
  /** Fence leases, when the controller runs this (see FenceLeases). */
  leases?: FenceLeases;
}

/**
 * What a revocation of a fence lease tells: `held` when the node's agent renewed it recently, so
 * that it stops the node's server by itself once it cannot renew — it is then safe to take over
 * from `safeAt` (ms since the epoch) on, whether or not the node can be reached.
 */
export type LeaseRevocation =
  | { held: true; safeAt: number; ttlMs: number; lastRenewedAt: number }
  | { held: false; why: string };

/**
 * Fence leases (plan: a data set's `fenceLease`): the agent on each node renews one per data set
 * with the controller; a node whose lease is revoked or expires stops its server if it is a
 * writable primary. The controller gives these to the engine; a run without them (`lifeboat run`
 * alone) fences by reaching the node, or asks a person.
 */
export interface FenceLeases {
  /** No more renewals of the node's lease for this data set: the agent fences on its next try. */
  revoke(service: string, dataSet: string, node: string): LeaseRevocation;
  /** Renewals granted again (the node is being promoted by this run). */
  restore(service: string, dataSet: string, node: string): void;
}
