// The records the state store keeps. Plain data (JSON-serialisable, times in epoch milliseconds)
// so that every store (SQLite now, etcd later) returns exactly the same shapes, and the
// conformance suite can compare them with deep equality.

/** What journal, run and audit `data` may hold: plain JSON, nothing else (no Date, no undefined). */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/**
 * A held lease. `token` is the fencing token: strictly increasing per key across owners, expiries,
 * releases and store restarts, never reused. Every write made on behalf of the lease carries it,
 * and the store refuses a write whose token is not the key's current one.
 */
export interface Lease {
  readonly key: string;
  readonly owner: string;
  readonly token: number;
  readonly ttlMs: number;
  /** When the lease lapses unless renewed, by the store's clock (an estimate for etcd). */
  readonly expiresAt: number;
}

/** What the store knows about a lease key: its last token, and the holder while one is live. */
export interface LeaseInfo {
  readonly key: string;
  /** The highest token ever issued for the key. */
  readonly token: number;
  /** The holder, or undefined when released or expired. */
  readonly holder: { readonly owner: string; readonly expiresAt: number } | undefined;
}

export const RUN_STATES = [
  'planned',
  'running',
  'waiting-approval',
  'aborting',
  'aborted',
  'failed',
  'succeeded',
] as const;

export type RunState = (typeof RUN_STATES)[number];

/** The states a run never leaves (the store does not enforce transitions; the engine does). */
export const FINAL_RUN_STATES: readonly RunState[] = ['aborted', 'failed', 'succeeded'];

export function isRunState(value: string): value is RunState {
  return (RUN_STATES as readonly string[]).includes(value);
}

export interface Run {
  readonly id: string;
  readonly service: string;
  /** The runbook of the plan this run executes. */
  readonly runbook: string;
  /** SHA-256 of the plan the run was made from; approvals are bound to it. */
  readonly planHash: string;
  /** SHA-256 of the run's parameters; approvals are bound to it too. */
  readonly paramsHash: string;
  readonly params: JsonValue;
  readonly state: RunState;
  /** The lease whose token fences writes for this run: `service/<service>` unless given. */
  readonly leaseKey: string;
  /**
   * Changes on every update and only grows; compare-and-swap on it. Not a count: etcd gives its
   * global mod_revision here, so never compute `revision + 1`.
   */
  readonly revision: number;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** The engine's own state of the run (current step, point of no return passed, ...). */
  readonly data: JsonValue;
}

export interface NewRun {
  /** A caller-chosen id makes creation idempotent (a second create conflicts); default: a UUID. */
  readonly id?: string;
  readonly service: string;
  readonly runbook: string;
  readonly planHash: string;
  readonly paramsHash: string;
  readonly params?: JsonValue;
  readonly state?: RunState;
  readonly leaseKey?: string;
  readonly data?: JsonValue;
  readonly at?: number;
}

export interface RunUpdate {
  /** The revision the caller read; the update is made only if the run still has it. */
  readonly expectedRevision: number;
  /** When given, the update is fenced like a journal append: refused unless the current token. */
  readonly token?: number;
  readonly state?: RunState;
  readonly data?: JsonValue;
  readonly at?: number;
}

export interface RunFilter {
  readonly service?: string;
  readonly state?: RunState | readonly RunState[];
  readonly limit?: number;
}

export const JOURNAL_PHASES = ['intent', 'effect', 'result', 'note'] as const;
export type JournalPhase = (typeof JOURNAL_PHASES)[number];

export interface JournalEntry {
  readonly runId: string;
  /** 1, 2, 3, ... per run, without gaps, in the order the appends committed. */
  readonly seq: number;
  readonly at: number;
  /** The step the entry is about; null for entries about the whole run. */
  readonly stepId: string | null;
  readonly phase: JournalPhase;
  /** The fencing token of the writer. */
  readonly token: number;
  readonly data: JsonValue;
}

export interface NewJournalEntry {
  readonly stepId: string | null;
  readonly phase: JournalPhase;
  readonly data?: JsonValue;
  readonly at?: number;
}

export interface Approval {
  readonly id: string;
  readonly runId: string;
  readonly stepId: string;
  readonly role: string;
  readonly approver: string;
  readonly at: number;
  readonly planHash: string;
  readonly paramsHash: string;
  readonly used: boolean;
  readonly usedAt: number | undefined;
}

export type NewApproval = Omit<Approval, 'id' | 'used' | 'usedAt' | 'at'> & {
  readonly at?: number;
};

/** Which approval a step may consume: all fields must match an unused approval. */
export interface ApprovalMatch {
  readonly runId: string;
  readonly stepId: string;
  readonly planHash: string;
  readonly paramsHash: string;
  /** When given, only an approval by this role. */
  readonly role?: string;
}

/**
 * An API token as the store keeps it: never the token itself, only its SHA-256. Whoever reads
 * the store (a backup, a copied state file) learns names and roles, not a credential.
 */
export interface ApiTokenRecord {
  /** Unique; recorded as the actor of what the token's holder does (approvals, aborts, runs). */
  readonly name: string;
  /** The API role (viewer, operator, approver, admin); the store does not interpret it. */
  readonly role: string;
  /** SHA-256 of the whole token string, 64 lowercase hex digits; unique. */
  readonly hash: string;
  readonly createdAt: number;
  /** When the token last authenticated a request, to the precision the caller records it. */
  readonly lastUsedAt: number | undefined;
}

export interface NewApiToken {
  readonly name: string;
  readonly role: string;
  readonly hash: string;
  readonly at?: number;
}
