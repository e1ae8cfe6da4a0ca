// The driver interface: the one contract between Lifeboat's engine and the real systems it
// drives. Small on purpose: every driver can `observe()`; what else it can do is declared by
// optional capability interfaces (Promotable, Fenceable, Switchable, Replicating, Probing),
// checked with the type guards below, never by a fat base class.
//
// Contract for every method that changes something (an "effect"):
// - It is idempotent: it re-checks the target first and does nothing when the target is already
//   in the requested state (returns `changed: false`). The engine may call it again after a crash.
// - It honours `ctx.signal`: on abort it stops as soon as it safely can and rejects with
//   LB_E_DRIVER_ABORTED.
// - It fails only with a LifeboatError whose code is registered and whose `retryable` says
//   whether trying again can help. It never puts a secret in a message, a detail or a log.
// - It treats every value that comes from a plan as data: argv arrays, query parameters,
//   validated identifiers. A value that cannot be passed safely is refused with
//   LB_E_DRIVER_BAD_INPUT before anything is executed.

/** What a long operation may report while it runs. */
export interface Progress {
  /** e.g. bytes or files done, tasks done. */
  done?: number;
  total?: number;
  unit?: string;
  message?: string;
}

export interface OperationContext {
  /** Aborts the operation (timeout, operator abort, lost lease). */
  signal: AbortSignal;
  /** Long operations report progress; each call is also a heartbeat. */
  progress?: (p: Progress) => void;
  /** Long operations call this at least every few seconds; a missed heartbeat is a timeout. */
  heartbeat?: () => void;
}

/** The result of an effect. `changed: false` means the target was already in that state. */
export interface EffectResult {
  changed: boolean;
  /** One line for the operator and the journal: "promoted pg-b (timeline 1 → 2) in 41 ms". */
  detail: string;
  /** Structured facts for the journal (never secrets). */
  data?: Record<string, unknown>;
}

/** What a driver sees, read-only. */
export interface Observation {
  /** The target answered and is in a usable state. */
  healthy: boolean;
  /** One line for the operator. */
  summary: string;
  /** Structured facts (role, lag, current server...), JSON-serialisable, never secrets. */
  facts: Record<string, unknown>;
}

export interface Driver {
  /** The system: 'postgres', 'mariadb', 'dns', 'haproxy', 'rsync', 'ansible', 'keepalived', 'command', 'probe'... */
  readonly kind: string;
  /** The plan object it drives (node, record, backend...), for messages and the journal. */
  readonly target: string;
  /** Read-only: never changes the target. */
  observe(ctx: OperationContext): Promise<Observation>;
  /** Releases connections; safe to call twice. */
  close?(): Promise<void>;
}

export type Role = 'primary' | 'replica' | 'standalone' | 'unknown';

export interface ReplicationState {
  role: Role;
  /** Accepts writes right now. */
  writable: boolean;
  /** For a replica: connected to its source and receiving. */
  streaming: boolean;
  /** For a replica: how far behind, when known. */
  lagBytes?: number;
  lagMs?: number;
  /** Engine-specific position: PostgreSQL LSN + timeline, MariaDB GTID. */
  position?: string;
  timeline?: number;
  /** Replication is synchronous (a commit waits for the replica). */
  synchronous?: boolean;
  /** For a replica: the host it replicates from. */
  source?: string;
  /**
   * For a replica: whether its source answered the driver's own check (undefined: not asked).
   * When it did not, `streaming` and the lag are the replica's view as of its last contact, which
   * a cut link leaves stale until the replica's own timeout.
   */
  sourceAnswered?: boolean;
}

/** A database (or any data holder) that has a replication role. */
export interface Replicating extends Driver {
  replicationState(ctx: OperationContext): Promise<ReplicationState>;
  /** Makes this node a replica of `source` (rewind or re-copy as needed). Idempotent. */
  rebuildAsReplicaOf(ctx: OperationContext, source: ReplicaSource): Promise<EffectResult>;
}

export interface ReplicaSource {
  host: string;
  port: number;
}

export interface PromoteOptions {
  /**
   * Promote even when the driver's own check (streaming, lag) says writes may be lost. The engine
   * passes it once its check-ready step judged the replica ready (e.g. synchronous replication
   * with the old primary fenced), or with the operator's --accept-data-loss.
   */
  acceptDataLoss?: boolean;
}

/** Can become the primary. */
export interface Promotable extends Driver {
  /** Promotes to primary and waits until it accepts writes. Already primary → `changed: false`. */
  promote(ctx: OperationContext, opts?: PromoteOptions): Promise<EffectResult>;
}

/** Can be stopped from accepting writes (so that two primaries never both write). */
export interface Fenceable extends Driver {
  fence(ctx: OperationContext, how?: FenceMode): Promise<EffectResult>;
  unfence(ctx: OperationContext): Promise<EffectResult>;
}

/** `read-only`: refuse new writes and end write sessions; `stop`: stop the server. */
export type FenceMode = 'read-only' | 'stop';

/** Moves traffic between named destinations (DNS values, HAProxy servers, VIP holders). */
export interface Switchable extends Driver {
  /** Where traffic goes now (a destination name as given to switchTo). */
  current(ctx: OperationContext): Promise<string | undefined>;
  /** Sends traffic to `destination`; already there → `changed: false`. */
  switchTo(ctx: OperationContext, destination: string): Promise<EffectResult>;
}

/** Can refuse writes while serving reads (HAProxy read-only mode, a database's read_only). */
export interface ReadOnlyCapable extends Driver {
  setReadOnly(ctx: OperationContext, readOnly: boolean): Promise<EffectResult>;
}

export interface ProbeResult {
  ok: boolean;
  latencyMs: number;
  /** Why it failed, or what it saw: "HTTP 503", "connection refused", "SELECT 1 → 1". */
  detail: string;
}

/** A health probe. */
export interface Probing extends Driver {
  probe(ctx: OperationContext): Promise<ProbeResult>;
}

function has<K extends string>(d: Driver, ...methods: K[]): boolean {
  return methods.every((m) => typeof (d as unknown as Record<string, unknown>)[m] === 'function');
}

export const isReplicating = (d: Driver): d is Replicating =>
  has(d, 'replicationState', 'rebuildAsReplicaOf');
export const isPromotable = (d: Driver): d is Promotable => has(d, 'promote');
export const isFenceable = (d: Driver): d is Fenceable => has(d, 'fence', 'unfence');
export const isSwitchable = (d: Driver): d is Switchable => has(d, 'current', 'switchTo');
export const isReadOnlyCapable = (d: Driver): d is ReadOnlyCapable => has(d, 'setReadOnly');
export const isProbing = (d: Driver): d is Probing => has(d, 'probe');
