// The audit log in SQLite: entries in `audit` (append-only by trigger), the head (count and hash)
// in two `meta` rows written in the same transaction as each entry. Deleting entries from the end
// is then caught by comparing with the head; deleting both the tail and fixing the head is not,
// without an anchor recorded elsewhere (see docs/store.md).
import {
  type AuditAnchor,
  type AuditEntry,
  type AuditHead,
  type AuditVerification,
  auditHash,
  GENESIS_HASH,
  type NewAuditEntry,
  verifyAuditChain,
} from '../audit-chain.js';
import { assertCount, assertName, toJsonText } from '../json.js';
import type { AuditLog } from '../store.js';
import type { JsonValue } from '../types.js';
import { inRead, inWrite, parseJson, type SqliteContext, sql, stamp } from './context.js';

interface AuditRow {
  seq: number;
  at: number;
  actor: string;
  action: string;
  subject: string | null;
  data: string;
  prev_hash: string;
  hash: string;
}

const HEAD_COUNT = 'audit.count';
const HEAD_HASH = 'audit.head';

function toEntry(row: AuditRow): AuditEntry {
  return {
    seq: row.seq,
    at: row.at,
    actor: row.actor,
    action: row.action,
    subject: row.subject,
    data: parseJson<JsonValue>(row.data),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

export class SqliteAudit implements AuditLog {
  constructor(private readonly ctx: SqliteContext) {}

  async append(input: NewAuditEntry): Promise<AuditEntry> {
    assertName(input.actor, 'audit actor');
    assertName(input.action, 'audit action');
    if (input.subject != null) assertName(input.subject, 'audit subject');
    const dataText = toJsonText(input.data ?? null, `audit data of ${input.action}`);
    return inWrite(this.ctx, `append ${input.action} to the audit log`, () => {
      const head = this.readHead();
      const content = {
        seq: head.count + 1,
        at: stamp(this.ctx, input.at),
        actor: input.actor,
        action: input.action,
        subject: input.subject ?? null,
        data: parseJson<JsonValue>(dataText),
      };
      const entry: AuditEntry = {
        ...content,
        prevHash: head.hash,
        hash: auditHash(head.hash, content),
      };
      sql(
        this.ctx,
        `INSERT INTO audit (seq, at, actor, action, subject, data, prev_hash, hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        entry.seq,
        entry.at,
        entry.actor,
        entry.action,
        entry.subject,
        dataText,
        entry.prevHash,
        entry.hash,
      );
      const put = sql(
        this.ctx,
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      );
      put.run(HEAD_COUNT, String(entry.seq));
      put.run(HEAD_HASH, entry.hash);
      return entry;
    });
  }

  async read(options: { afterSeq?: number; limit?: number } = {}): Promise<AuditEntry[]> {
    const after = options.afterSeq ?? 0;
    assertCount(after, 'afterSeq');
    const limit = options.limit ?? -1;
    if (options.limit !== undefined) assertCount(limit, 'limit');
    return inRead(this.ctx, 'read the audit log', () =>
      (
        sql(this.ctx, 'SELECT * FROM audit WHERE seq > ? ORDER BY seq LIMIT ?').all(
          after,
          limit,
        ) as AuditRow[]
      ).map(toEntry),
    );
  }

  async head(): Promise<AuditHead> {
    return inRead(this.ctx, 'read the audit head', () => this.readHead());
  }

  async verify(options: { anchor?: AuditAnchor } = {}): Promise<AuditVerification> {
    // One read transaction: the head and the entries come from the same snapshot, so an append
    // by another process during the walk cannot look like tampering.
    return inRead(this.ctx, 'verify the audit log', () => {
      const recorded = this.readHead();
      // iterate() holds one row at a time: the walk needs memory for one entry, not the log.
      const rows = sql(
        this.ctx,
        'SELECT * FROM audit ORDER BY seq',
      ).iterate() as IterableIterator<AuditRow>;
      try {
        return verifyAuditChain(mapRows(rows), recorded, options.anchor);
      } finally {
        rows.return?.();
      }
    });
  }

  private readHead(): AuditHead {
    const rows = sql(this.ctx, 'SELECT key, value FROM meta WHERE key IN (?, ?)').all(
      HEAD_COUNT,
      HEAD_HASH,
    ) as { key: string; value: string }[];
    const get = (k: string) => rows.find((r) => r.key === k)?.value;
    return { count: Number(get(HEAD_COUNT) ?? 0), hash: get(HEAD_HASH) ?? GENESIS_HASH };
  }
}

/** Rows as entries; data that is no longer JSON (edited by hand) verifies as an edited entry. */
function* mapRows(rows: Iterable<AuditRow>): Generator<AuditEntry> {
  for (const row of rows) {
    let entry: AuditEntry;
    try {
      entry = toEntry(row);
    } catch {
      entry = { ...toEntry({ ...row, data: 'null' }), data: { unparseable: row.data } };
    }
    yield entry;
  }
}
