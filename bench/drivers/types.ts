// Each bench/drivers/<system>.ts exports `cases`: one switching operation, done by the driver and
// by the system's own CLI in the same lab, so run.ts can compare them (median of 5 each).

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
  components: string[];
  cases(): Promise<BenchCase[]>;
  teardown?(): Promise<void>;
}
