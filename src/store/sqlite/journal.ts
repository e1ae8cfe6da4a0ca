// The journal of each run: append-only (triggers refuse UPDATE and DELETE), fenced, gapless.
// Check, numbering and insert happen in one IMMEDIATE transaction, so appenders in several
// processes are serialised by SQLite's write lock and each sees the previous one's last seq.
import { assertCount, assertName, invalid, toJsonText } from '../json.js';
import type { JournalStore } from '../store.js';
import {
  JOURNAL_PHASES,
  type JournalEntry,
  type JournalPhase,
  type JsonValue,
  type NewJournalEntry,
} from '../types.js';
import {
  checkToken,
  inRead,
  inWrite,
  parseJson,
  type SqliteContext,
  sql,
  stamp,
} from './context.js';
import { runLeaseKey } from './runs.js';

interface JournalRow {
  run_id: string;
  seq: number;
  at: number;
  step_id: string | null;
  phase: string;
  token: number;
  data: string;
}

function toEntry(row: JournalRow): JournalEntry {
  return {
    runId: row.run_id,
    seq: row.seq,
    at: row.at,
    stepId: row.step_id,
    phase: row.phase as JournalPhase,
    token: row.token,
    data: parseJson<JsonValue>(row.data),
  };
}

export class SqliteJournal implements JournalStore {
  constructor(private readonly ctx: SqliteContext) {}

  async append(runId: string, entry: NewJournalEntry, token: number): Promise<JournalEntry> {
    assertName(runId, 'run id', 200);
    if (entry.stepId !== null) assertName(entry.stepId, 'step id');
    if (!(JOURNAL_PHASES as readonly string[]).includes(entry.phase)) {
      throw invalid(`unknown journal phase ${JSON.stringify(entry.phase)}`);
    }
    const data = toJsonText(entry.data ?? null, `journal data of run ${runId}`);
    return inWrite(this.ctx, `append to the journal of run ${runId}`, () => {
      const leaseKey = runLeaseKey(this.ctx, runId);
      checkToken(this.ctx, leaseKey, token, `journal append to run ${runId}`);
      const last = sql(this.ctx, 'SELECT max(seq) AS seq FROM journal WHERE run_id = ?').get(
        runId,
      ) as { seq: number | null };
      const row: JournalRow = {
        run_id: runId,
        seq: (last.seq ?? 0) + 1,
        at: stamp(this.ctx, entry.at),
        step_id: entry.stepId,
        phase: entry.phase,
        token,
        data,
      };
      sql(
        this.ctx,
        `INSERT INTO journal (run_id, seq, at, step_id, phase, token, data)
         VALUES (@run_id, @seq, @at, @step_id, @phase, @token, @data)`,
      ).run(row);
      return toEntry(row);
    });
  }

  async read(
    runId: string,
    options: { afterSeq?: number; limit?: number } = {},
  ): Promise<JournalEntry[]> {
    assertName(runId, 'run id', 200);
    const after = options.afterSeq ?? 0;
    assertCount(after, 'afterSeq');
    // SQLite reads LIMIT -1 as "no limit".
    const limit = options.limit ?? -1;
    if (options.limit !== undefined) assertCount(limit, 'limit');
    return inRead(this.ctx, `read the journal of run ${runId}`, () =>
      (
        sql(
          this.ctx,
          'SELECT * FROM journal WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?',
        ).all(runId, after, limit) as JournalRow[]
      ).map(toEntry),
    );
  }
}
