// How the lab reaches a node's commands. By default through the node's namespace
// (`ip netns exec`), which a partition does not cut: like an out-of-band console that survives the
// WAN. With LIFEBOAT_LAB_NO_OOB=1 there is no such path: a command for a node of a cut-off site
// fails as unreachable (LB_E_DRIVER_UNREACHABLE), as SSH to it would — so that a failover must
// fence the isolated primary by its lease (bench/controller/failover.ts, the fence-lease lab test).
import { LifeboatError } from '../../core/errors/index.js';
import type { NodeRunner, NodeRunOptions, NodeRunResult } from '../../drivers/node-runner.js';
import { namespacesOf, SITES, type Site, siteCutOff } from '../../lab/index.js';

export const NO_OOB_ENV = 'LIFEBOAT_LAB_NO_OOB';

export function labHasNoOutOfBand(): boolean {
  return process.env[NO_OOB_ENV] === '1';
}

/** A runner that refuses, as unreachable, while the node's site is cut off. */
export class PartitionAwareRunner implements NodeRunner {
  constructor(
    private readonly inner: NodeRunner,
    private readonly lab: string,
    private readonly node: string,
  ) {}
  get where(): string | undefined {
    return this.inner.where;
  }
  async run(argv: string[], opts: NodeRunOptions): Promise<NodeRunResult> {
    // The lab's nodes are named after their sites (a, b, witness).
    const site = (SITES as readonly string[]).includes(this.node) ? (this.node as Site) : undefined;
    if (site && (await siteCutOff(namespacesOf(this.lab).wan, site)))
      throw new LifeboatError(
        'LB_E_DRIVER_UNREACHABLE',
        `${this.node} cannot be reached: its site is cut off (lab without out-of-band access)`,
      );
    return this.inner.run(argv, opts);
  }
}
