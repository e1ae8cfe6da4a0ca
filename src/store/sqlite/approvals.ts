// Approvals: recorded by operators, consumed once by the run's lease holder. Consuming is one
// UPDATE ... WHERE used_at IS NULL inside an IMMEDIATE transaction, so of two processes racing
// for the same approval exactly one sees its row change.
import { randomUUID } from 'node:crypto';
import { assertName } from '../json.js';
import type { ApprovalStore } from '../store.js';
import type { Approval, ApprovalMatch, NewApproval } from '../types.js';
import { checkToken, inRead, inWrite, type SqliteContext, sql, stamp } from './context.js';
import { runLeaseKey } from './runs.js';

interface ApprovalRow {
  id: string;
  run_id: string;
  step_id: string;
  role: string;
  approver: string;
  at: number;
  plan_hash: string;
  params_hash: string;
  used_at: number | null;
}

function toApproval(row: ApprovalRow): Approval {
  return {
    id: row.id,
    runId: row.run_id,
    stepId: row.step_id,
    role: row.role,
    approver: row.approver,
    at: row.at,
    planHash: row.plan_hash,
    paramsHash: row.params_hash,
    used: row.used_at !== null,
    usedAt: row.used_at ?? undefined,
  };
}

export class SqliteApprovals implements ApprovalStore {
  constructor(private readonly ctx: SqliteContext) {}

  async record(input: NewApproval): Promise<Approval> {
    assertName(input.runId, 'run id', 200);
    assertName(input.stepId, 'step id');
    assertName(input.role, 'role');
    assertName(input.approver, 'approver');
    assertName(input.planHash, 'plan hash');
    assertName(input.paramsHash, 'params hash');
    return inWrite(this.ctx, `record an approval for run ${input.runId}`, () => {
      runLeaseKey(this.ctx, input.runId); // the run must exist
      const row: ApprovalRow = {
        id: randomUUID(),
        run_id: input.runId,
        step_id: input.stepId,
        role: input.role,
        approver: input.approver,
        at: stamp(this.ctx, input.at),
        plan_hash: input.planHash,
        params_hash: input.paramsHash,
        used_at: null,
      };
      sql(
        this.ctx,
        `INSERT INTO approvals (id, run_id, step_id, role, approver, at, plan_hash, params_hash, used_at)
         VALUES (@id, @run_id, @step_id, @role, @approver, @at, @plan_hash, @params_hash, @used_at)`,
      ).run(row);
      return toApproval(row);
    });
  }

  async list(runId: string): Promise<Approval[]> {
    assertName(runId, 'run id', 200);
    return inRead(this.ctx, `list the approvals of run ${runId}`, () =>
      (
        sql(this.ctx, 'SELECT * FROM approvals WHERE run_id = ? ORDER BY rowid').all(
          runId,
        ) as ApprovalRow[]
      ).map(toApproval),
    );
  }

  async consume(match: ApprovalMatch, token: number): Promise<Approval | undefined> {
    assertName(match.runId, 'run id', 200);
    assertName(match.stepId, 'step id');
    assertName(match.planHash, 'plan hash');
    assertName(match.paramsHash, 'params hash');
    if (match.role !== undefined) assertName(match.role, 'role');
    return inWrite(this.ctx, `consume an approval of run ${match.runId}`, () => {
      const leaseKey = runLeaseKey(this.ctx, match.runId);
      checkToken(this.ctx, leaseKey, token, `approval of step ${match.stepId}`);
      const row = sql(
        this.ctx,
        `UPDATE approvals SET used_at = ?
         WHERE rowid = (SELECT rowid FROM approvals
           WHERE run_id = ? AND step_id = ? AND plan_hash = ? AND params_hash = ?
             AND (? IS NULL OR role = ?) AND used_at IS NULL
           ORDER BY rowid LIMIT 1)
         RETURNING *`,
      ).get(
        this.ctx.now(),
        match.runId,
        match.stepId,
        match.planHash,
        match.paramsHash,
        match.role ?? null,
        match.role ?? null,
      ) as ApprovalRow | undefined;
      return row && toApproval(row);
    });
  }
}
