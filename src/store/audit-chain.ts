// The audit log's hash chain, independent of where entries are kept: every store hashes and
// verifies with these functions, so a chain written by SQLite verifies the same way once moved to
// etcd, and an operator can recompute a hash with nothing but sha256sum and the canonical JSON.
import { createHash } from 'node:crypto';
import { canonicalJson } from './json.js';
import type { JsonValue } from './types.js';

/** The "previous hash" of entry 1. */
export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEntry {
  /** 1, 2, 3, ... without gaps. */
  readonly seq: number;
  readonly at: number;
  /** Who did it: an operator's name, or `lifeboat@host` for the engine. */
  readonly actor: string;
  /** What was done, e.g. `run.start`, `approval.record`, `lease.takeover`. */
  readonly action: string;
  /** What it was done to, e.g. a run id; null when nothing in particular. */
  readonly subject: string | null;
  readonly data: JsonValue;
  readonly prevHash: string;
  readonly hash: string;
}

export interface NewAuditEntry {
  readonly actor: string;
  readonly action: string;
  readonly subject?: string | null;
  readonly data?: JsonValue;
  readonly at?: number;
}

/** The head as recorded beside the chain, in the same transaction as each append. */
export interface AuditHead {
  readonly count: number;
  /** Hash of entry `count`; GENESIS_HASH when the log is empty. */
  readonly hash: string;
}

/** A hash an operator recorded out of band (`SEQ:HASH`), checked against the chain. */
export interface AuditAnchor {
  readonly seq: number;
  readonly hash: string;
}

export type AuditBreakReason =
  /** The entry's content does not give its hash: edited (or moved with its hash). */
  | 'edited'
  /** The entry does not point at the one before it: something before it was replaced or moved. */
  | 'chain'
  /** A sequence number is missing: the entry was deleted. */
  | 'missing'
  /** The log ends before the recorded head: its tail was cut off. */
  | 'truncated'
  /** The log goes on past the recorded head: entries were added behind the store's back. */
  | 'extra'
  /** The last entry is not the recorded head: the tail was rewritten and re-hashed. */
  | 'head'
  /** The chain does not hold the hash an operator recorded. */
  | 'anchor';

export interface AuditBreak {
  /** The first entry that does not verify. */
  readonly seq: number;
  readonly reason: AuditBreakReason;
  readonly message: string;
}

export interface AuditVerification {
  readonly ok: boolean;
  /** Entries read and checked. */
  readonly checked: number;
  /** The head of the chain as read (the last entry that was read). */
  readonly head: AuditHead;
  /** The head recorded beside the chain. */
  readonly recorded: AuditHead;
  readonly broken: AuditBreak | undefined;
}

/** The content that is hashed: everything but the two hashes, in canonical JSON. */
export function auditContent(e: Omit<AuditEntry, 'prevHash' | 'hash'>): string {
  return canonicalJson({
    seq: e.seq,
    at: e.at,
    actor: e.actor,
    action: e.action,
    subject: e.subject,
    data: e.data,
  });
}

/** hash = SHA-256( prevHash "\n" canonical-JSON(entry) ), hex. */
export function auditHash(prevHash: string, e: Omit<AuditEntry, 'prevHash' | 'hash'>): string {
  return createHash('sha256')
    .update(`${prevHash}\n${auditContent(e)}`)
    .digest('hex');
}

/** `SEQ:HASH` as an operator writes it down (`lifeboat audit verify` prints it). */
export function parseAnchor(text: string): AuditAnchor | undefined {
  const m = /^(\d{1,15}):([0-9a-f]{64})$/.exec(text.trim().toLowerCase());
  return m ? { seq: Number(m[1]), hash: m[2] as string } : undefined;
}

/**
 * Walks stored entries in sequence order and reports the first that does not verify. `entries`
 * may be a lazy iterator: the walk stops at the first break and holds one entry at a time.
 */
export function verifyAuditChain(
  entries: Iterable<AuditEntry>,
  recorded: AuditHead,
  anchor?: AuditAnchor,
): AuditVerification {
  let prev = GENESIS_HASH;
  let n = 0;
  const result = (broken?: AuditBreak): AuditVerification => ({
    ok: broken === undefined,
    checked: n,
    head: { count: n, hash: prev },
    recorded,
    broken,
  });
  for (const e of entries) {
    const expected = n + 1;
    if (e.seq !== expected) {
      return result({
        seq: expected,
        reason: 'missing',
        message: `entry ${expected} is missing (the next one stored is ${e.seq}): it was deleted`,
      });
    }
    if (e.prevHash !== prev) {
      return result({
        seq: e.seq,
        reason: 'chain',
        message: `entry ${e.seq} does not follow entry ${n}: an entry was replaced, moved or reordered here`,
      });
    }
    if (auditHash(prev, e) !== e.hash) {
      return result({
        seq: e.seq,
        reason: 'edited',
        message: `entry ${e.seq} does not match its hash: it was edited after it was written`,
      });
    }
    if (anchor && anchor.seq === e.seq && anchor.hash !== e.hash) {
      return result({
        seq: e.seq,
        reason: 'anchor',
        message: `entry ${e.seq} has hash ${e.hash}, not the anchor ${anchor.hash}: the log was rewritten up to here`,
      });
    }
    prev = e.hash;
    n = expected;
  }
  return result(endBreak(n, prev, recorded, anchor));
}

function endBreak(
  n: number,
  last: string,
  recorded: AuditHead,
  anchor: AuditAnchor | undefined,
): AuditBreak | undefined {
  if (n < recorded.count) {
    return {
      seq: n + 1,
      reason: 'truncated',
      message: `the log ends at entry ${n} but ${recorded.count} were written: its tail was cut off`,
    };
  }
  if (n > recorded.count) {
    return {
      seq: recorded.count + 1,
      reason: 'extra',
      message: `the log has ${n} entries but only ${recorded.count} were written through the store`,
    };
  }
  if (last !== recorded.hash) {
    return {
      seq: n,
      reason: 'head',
      message: `entry ${n} is not the recorded head ${recorded.hash}: the log was rewritten`,
    };
  }
  if (anchor && anchor.seq > n) {
    return {
      seq: n + 1,
      reason: 'anchor',
      message: `the anchor names entry ${anchor.seq} but the log ends at ${n}: it was cut off (head included)`,
    };
  }
  return undefined;
}
