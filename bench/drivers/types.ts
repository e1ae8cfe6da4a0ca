// Each bench/drivers/<system>.ts exports `suite`: switching operations, each done by the driver
// and by the system's own CLI in the same lab, so run.ts can compare them (median of 5 each).
import type { Component, Lab } from '../../src/lab/index.js';

export interface BenchCase {
  /** "promote PostgreSQL replica". */
  operation: string;
  /** The CLI baseline, named: "pg_ctl promote + poll pg_is_in_recovery()". */
  baseline: string;
  /** Brings the lab to the starting state (not timed). */
  prepare(): Promise<void>;
  /** The operation through the Lifeboat driver; resolves when the effect is observable. */
  viaDriver(): Promise<void>;
  /** The same operation with the system's own CLI; resolves when the effect is observable. */
  viaCli(): Promise<void>;
}

export interface BenchSuite {
  /** Lab components it needs up. */
  components: Component[];
  /** The lab is up with `components` when this is called. */
  cases(lab: Lab): Promise<BenchCase[]>;
  teardown?(): Promise<void>;
}
