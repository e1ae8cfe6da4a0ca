// The state store: everything a run must find again after Lifeboat is killed (-9, at any point)
// and resumed. SQLite implements it now (src/store/sqlite/); etcd will, for Lifeboat in HA across
// sites. Each method says how it maps onto etcd (leases, transactions comparing revisions, watch)
// so that the contract asks nothing etcd cannot give. Every store passes one conformance suite
// (test/conformance/store-suite.ts).
//
// Keys in etcd (under a configurable prefix): `lease/<key>` (holder, attached to an etcd lease),
// `fence/<key>` (never deleted; its mod_revision is the current fencing token), `runs/<id>`,
// `journal/<runId>/<seq, 16 digits>`, `journal/<runId>/head`, `approvals/<runId>/<id>`,
// `audit/<seq, 16 digits>`, `audit/head`, `tokens/<name>`, `token-hash/<sha256>` (→ name).
//
// All methods are async because etcd's are. Every write is durable when its promise resolves
// (SQLite: fsync'd WAL; etcd: committed by a quorum), and a write interrupted by a crash is either
// entirely there or entirely absent.
import type {
  AuditAnchor,
  AuditEntry,
  AuditHead,
  AuditVerification,
  NewAuditEntry,
} from './audit-chain.js';
import type {
  ApiTokenRecord,
  Approval,
  ApprovalMatch,
  JournalEntry,
  Lease,
  LeaseInfo,
  NewApiToken,
  NewApproval,
  NewJournalEntry,
  NewRun,
  Run,
  RunFilter,
  RunUpdate,
} from './types.js';

/** The lease that lets one run at a time act on a service. */
export function serviceLeaseKey(service: string): string {
  return `service/${service}`;
}

export interface LeaseStore {
  /**
   * Takes `key` for `owner` for `ttlMs`, or gives undefined when another owner holds it and its
   * lease is live. The same owner acquiring again takes the lease over with a new token (how a
   * restarted Lifeboat resumes without waiting for its old lease to lapse): its earlier
   * incarnation is fenced out. Every acquisition issues a token higher than any issued before for
   * the key, whoever held it, across expiries, releases and restarts of the store.
   * etcd: LeaseGrant(ceil(ttlMs / 1000) s); Txn If(create_revision(lease/key) = 0 OR
   * value(lease/key) = owner) Then(Put lease/key = owner with the lease, Put fence/key); the token
   * is the Txn's revision (= mod_revision of fence/key). etcd revisions only grow, survive
   * restarts and compaction, and are shared by all keys, so a token is never issued twice.
   */
  acquire(key: string, owner: string, ttlMs: number): Promise<Lease | undefined>;

  /**
   * Extends a live lease by its TTL from now and returns it with the new `expiresAt`; the token
   * does not change. Throws LB_E_STORE_LEASE_LOST when the lease expired (even if nobody took it
   * since: an expired lease is gone, as in etcd) or another acquisition happened since.
   * etcd: LeaseKeepAliveOnce(id) (TTL 0 → lost), then check mod_revision(fence/key) = token.
   */
  renew(lease: Lease): Promise<Lease>;

  /**
   * Gives the lease up so another owner need not wait for it to lapse. True when it was released;
   * false when it had already expired or been taken over (releasing is then a no-op). The key's
   * token is kept: the next acquirer gets a higher one.
   * etcd: Txn If(mod_revision(fence/key) = token) Then(Delete lease/key); LeaseRevoke(id).
   */
  release(lease: Lease): Promise<boolean>;

  /**
   * The key's last token and its live holder, if any; undefined for a key never acquired.
   * etcd: Range lease/key and fence/key in one serializable-linearizable Txn.
   */
  get(key: string): Promise<LeaseInfo | undefined>;
}

export interface RunStore {
  /**
   * Stores a new run. Throws LB_E_STORE_CONFLICT when a run with the given id exists.
   * etcd: Txn If(create_revision(runs/id) = 0) Then(Put runs/id); revision = the Txn's revision.
   */
  create(run: NewRun): Promise<Run>;

  /** etcd: Range runs/id; revision = mod_revision. */
  get(id: string): Promise<Run | undefined>;

  /**
   * Runs in creation order, optionally of one service and in some states; `limit` keeps the most
   * recent ones.
   * etcd: Range over the runs/ prefix, filtered here (a few thousand runs at most; an index key
   * per service can come when that stops being true).
   */
  list(filter?: RunFilter): Promise<Run[]>;

  /**
   * Compare-and-swap: changes state and/or data only if the run still has `expectedRevision`,
   * else throws LB_E_STORE_CONFLICT (re-read and decide again). With `token`, also refused with
   * LB_E_STORE_STALE_TOKEN unless it is the current token of the run's lease key. Throws
   * LB_E_STORE_NOT_FOUND for an unknown run.
   * etcd: Txn If(mod_revision(runs/id) = expectedRevision [, mod_revision(fence/leaseKey) = token])
   * Then(Put runs/id).
   */
  update(id: string, change: RunUpdate): Promise<Run>;
}

export interface JournalStore {
  /**
   * Appends one entry to the run's journal with the next sequence number (1, 2, ... without gaps,
   * in commit order, also with several processes appending). Refused with LB_E_STORE_STALE_TOKEN
   * when `token` is lower than the current token of the run's lease key (a writer that lost the
   * lease to another) or higher (a token never issued). Durable when it resolves.
   * etcd: read journal/run/head (seq n, mod_revision r); Txn If(mod_revision(head) = r,
   * mod_revision(fence/leaseKey) = token) Then(Put journal/run/<n+1>, Put head = n+1); on a failed
   * compare, re-read: a moved head means retry, a moved fence means stale.
   */
  append(runId: string, entry: NewJournalEntry, token: number): Promise<JournalEntry>;

  /**
   * Entries after `afterSeq` (default 0), in order, at most `limit` (default all). The `afterSeq`
   * of the next call is the last seq seen: the SSE stream's Last-Event-ID.
   * etcd: Range [journal/run/<afterSeq+1>, journal/run/head); a later Watchable capability will
   * follow with Watch from the Range's revision.
   */
  read(runId: string, options?: { afterSeq?: number; limit?: number }): Promise<JournalEntry[]>;
}

export interface ApprovalStore {
  /**
   * Records an approval of one step of one run, bound to the plan and parameters the approver
   * saw (their hashes). An approval for another plan or other parameters never matches.
   * etcd: Put approvals/runId/<uuid>.
   */
  record(approval: NewApproval): Promise<Approval>;

  /** The run's approvals, in the order they were recorded (used ones too). */
  list(runId: string): Promise<Approval[]>;

  /**
   * Atomically marks one unused matching approval used and returns it, or undefined when there
   * is none. Of concurrent consumers (in any processes), exactly one gets a given approval. Fenced
   * like a journal append: LB_E_STORE_STALE_TOKEN unless `token` is the current one of the run's
   * lease.
   * etcd: Range approvals/runId/, pick an unused match (mod_revision r); Txn If(mod_revision(it)
   * = r, mod_revision(fence/leaseKey) = token) Then(Put it with used = true); retry on a lost race.
   */
  consume(match: ApprovalMatch, token: number): Promise<Approval | undefined>;
}

export interface AuditLog {
  /**
   * Appends an entry chained to the one before (hash = SHA-256 of the previous hash and the
   * entry's canonical JSON), and records the new head (count and hash) in the same transaction.
   * etcd: read audit/head (rev r); Txn If(mod_revision(audit/head) = r) Then(Put audit/<n+1>,
   * Put audit/head); retry when another writer won.
   */
  append(entry: NewAuditEntry): Promise<AuditEntry>;

  /** Entries after `afterSeq`, in order, at most `limit`. etcd: Range over audit/. */
  read(options?: { afterSeq?: number; limit?: number }): Promise<AuditEntry[]>;

  /** The head as recorded beside the chain. etcd: Get audit/head. */
  head(): Promise<AuditHead>;

  /**
   * Walks the whole chain and reports the first entry that does not verify: edited, deleted,
   * reordered, or a tail cut off (against the recorded head); with `anchor`, also a chain that
   * does not hold a hash recorded out of band. Reads one consistent snapshot.
   * etcd: Range over audit/ and Get audit/head at one revision.
   */
  verify(options?: { anchor?: AuditAnchor }): Promise<AuditVerification>;
}

/**
 * The API's tokens, by name, each stored as the SHA-256 of the token (the token itself is shown
 * once when created and kept nowhere). Looked up by that hash: an index on a hash of a random
 * 32-byte secret tells nothing about the secret through timing.
 */
export interface TokenStore {
  /**
   * Stores a new token. Throws LB_E_SERVER_TOKEN_NAME when a token has that name, and
   * LB_E_STORE_CONFLICT when one has that hash (a token created twice).
   * etcd: Txn If(create_revision(tokens/name) = 0, create_revision(token-hash/hash) = 0)
   * Then(Put tokens/name, Put token-hash/hash = name).
   */
  create(token: NewApiToken): Promise<ApiTokenRecord>;

  /**
   * The token with this SHA-256 (64 hex digits), if it exists and was not revoked.
   * etcd: Get token-hash/hash, then Get tokens/<name> (or one Txn with both).
   */
  findByHash(hash: string): Promise<ApiTokenRecord | undefined>;

  /** Every token, by name. etcd: Range over the tokens/ prefix. */
  list(): Promise<ApiTokenRecord[]>;

  /**
   * Deletes the token: from now on it authenticates nothing. True when it existed.
   * etcd: Txn Then(Delete tokens/name, Delete token-hash/<its hash>) after reading it.
   */
  revoke(name: string): Promise<boolean>;

  /**
   * Records that the token was used at `at` (only ever moves forward). Best effort for the
   * caller: a lost update only makes "last used" older. etcd: Put tokens/name, no compare.
   */
  touch(name: string, at: number): Promise<void>;
}

export interface StateStore {
  readonly leases: LeaseStore;
  readonly runs: RunStore;
  readonly journal: JournalStore;
  readonly approvals: ApprovalStore;
  readonly audit: AuditLog;
  readonly tokens: TokenStore;
  /** Where the state is, for messages: a file path, or etcd endpoints and prefix. */
  readonly location: string;
  /** Closes the store; later calls fail. Idempotent. */
  close(): Promise<void>;
}
