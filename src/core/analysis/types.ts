// What `lifeboat check` computes from a valid plan. Pure data: the CLI prints it, `render` writes
// it into the continuity-plan document, the controller (later) compares it with measurements.
import type { Diagnostic } from '../plan/diagnostic.js';

/** Where a duration of the recovery path comes from. */
export type EstimateSource = 'plan' | 'default' | 'ttl' | 'probe' | 'measured' | 'unknown';

export interface RtoStep {
  /** A derived step name (`detect`, `promote`, `switch-traffic`...) or a runbook step id. */
  step: string;
  /** What the step does, for the operator: "promote replica dlrn-db-b (mariadb)". */
  description: string;
  ms: number;
  source: EstimateSource;
}

export type Verdict = 'ok' | 'fails' | 'unknown';

export interface ServiceAssessment {
  service: string;
  tier: string;
  strategy: string;
  /** The tier's RTO, ms. */
  targetRtoMs: number;
  /** Sum of `rtoPath`; Infinity when the service cannot be restored at all. */
  plannedRtoMs: number;
  rtoPath: RtoStep[];
  targetRpoMs: number;
  /** Worst case over the service's data sets; 0 for stateless services; Infinity when data has no copy. */
  plannedRpoMs: number;
  /** One line: why the planned RPO is what it is ("mariadb async replication, lag 5s"). */
  rpoBasis: string;
  rtoVerdict: Verdict;
  rpoVerdict: Verdict;
  /** Worst of the two. */
  verdict: Verdict;
  /** Sites where the service has active nodes, and standby nodes. */
  activeSites: string[];
  standbySites: string[];
  /** The failure the RTO is computed for: "site rdo-cloud lost" (see docs/check.md). */
  scenario: string;
}

/** Everything that fails together when one site, failure domain or node fails. */
export interface BlastRadius {
  kind: 'site' | 'domain' | 'node';
  name: string;
  /** For domains and nodes: the site they are in. */
  site: string;
  /** Services with an active node inside. */
  services: string[];
  /** Of those, the ones with no standby outside it: down until restored or rebuilt. */
  servicesDown: string[];
  /** Number of services per tier, of `services`. */
  tiers: Record<string, number>;
}

export interface TierCost {
  tier: string;
  /** Monthly cost of offsite standby nodes attributed to this tier. */
  monthly: number;
  budget: number | undefined;
  /** Node names counted. */
  nodes: string[];
}

export interface Analysis {
  services: ServiceAssessment[];
  blastRadius: BlastRadius[];
  /** Recovery order: waves of services; each wave depends only on earlier ones. Cycles are left out. */
  recoveryOrder: string[][];
  cost: TierCost[];
  currency: string;
  /** Tier names from the shortest RTO to the longest: the order tables are printed in. */
  tierOrder: string[];
  /** Findings with `path` set; the CLI adds file:line:col with `LoadedPlan.locate`. */
  findings: Diagnostic[];
}
