// A data set's fence lease as the controller grants it and the agent holds it: one reading of
// the plan's `fenceLease` for both (src/controller/leases.ts, src/cli/commands/agent.ts). Pure.
import type { DataSet } from './schema/plan.js';

export interface FenceLeaseTerms {
  ttlMs: number;
  renewEveryMs: number;
  /** The nodes holding a copy, whose agents hold a lease for it (the source first). */
  nodes: string[];
}

/** Undefined for a data set without `fenceLease`, or one that is not a database. */
export function fenceLeaseTerms(ds: DataSet): FenceLeaseTerms | undefined {
  if (!ds.fenceLease || (ds.kind !== 'postgres' && ds.kind !== 'mariadb')) return undefined;
  const ttlMs = ds.fenceLease.ttl;
  return {
    ttlMs,
    renewEveryMs: ds.fenceLease.renewEvery ?? Math.max(50, Math.round(ttlMs / 5)),
    nodes: [...(ds.source !== undefined ? [ds.source] : []), ...(ds.targets ?? [])],
  };
}
