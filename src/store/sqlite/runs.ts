// Runs: one row each, changed only by compare-and-swap on `revision`, optionally fenced by the
// token of the run's lease.
import { randomUUID } from 'node:crypto';
import { LifeboatError } from '../../core/errors/index.js';
import { assertCount, assertName, invalid, toJsonText } from '../json.js';
import { type RunStore, serviceLeaseKey } from '../store.js';
import {
  isRunState,
  type NewRun,
  type Run,
  type RunFilter,
  type RunState,
  type RunUpdate,
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

interface RunRow {
  id: string;
  service: string;
  runbook: string;
  plan_hash: string;
  params_hash: string;
  params: string;
  state: string;
  lease_key: string;
  revision: number;
  created_at: number;
  updated_at: number;
  data: string;
}

export function toRun(row: RunRow): Run {
  return {
    id: row.id,
    service: row.service,
    runbook: row.runbook,
    planHash: row.plan_hash,
    paramsHash: row.params_hash,
    params: parseJson(row.params),
    state: row.state as RunState,
    leaseKey: row.lease_key,
    revision: row.revision,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    data: parseJson(row.data),
  };
}

export class SqliteRuns implements RunStore {
  constructor(private readonly ctx: SqliteContext) {}

  async create(input: NewRun): Promise<Run> {
    const id = input.id ?? randomUUID();
    assertName(id, 'run id', 200);
    assertName(input.service, 'service');
    assertName(input.runbook, 'runbook');
    assertName(input.planHash, 'plan hash');
    assertName(input.paramsHash, 'params hash');
    const state = checkState(input.state ?? 'planned');
    const leaseKey = input.leaseKey ?? serviceLeaseKey(input.service);
    assertName(leaseKey, 'lease key');
    const params = toJsonText(input.params ?? {}, `params of run ${id}`);
    const data = toJsonText(input.data ?? {}, `data of run ${id}`);
    return inWrite(this.ctx, `create run ${id}`, () => {
      const at = stamp(this.ctx, input.at);
      const r = sql(
        this.ctx,
        `INSERT INTO runs (id, service, runbook, plan_hash, params_hash, params, state, lease_key,
           revision, created_at, updated_at, data)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
      ).run(
        id,
        input.service,
        input.runbook,
        input.planHash,
        input.paramsHash,
        params,
        state,
        leaseKey,
        at,
        at,
        data,
      );
      if (r.changes === 0) {
        throw new LifeboatError('LB_E_STORE_CONFLICT', `a run with id ${id} already exists`);
      }
      return this.row(id) as Run;
    });
  }

  async get(id: string): Promise<Run | undefined> {
    assertName(id, 'run id', 200);
    return inRead(this.ctx, `read run ${id}`, () => this.row(id));
  }

  async list(filter: RunFilter = {}): Promise<Run[]> {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (filter.service !== undefined) {
      assertName(filter.service, 'service');
      where.push('service = ?');
      args.push(filter.service);
    }
    if (filter.state !== undefined) {
      const states = (typeof filter.state === 'string' ? [filter.state] : filter.state).map(
        checkState,
      );
      if (states.length === 0) return [];
      where.push(`state IN (${states.map(() => '?').join(', ')})`);
      args.push(...states);
    }
    let limit = '';
    if (filter.limit !== undefined) {
      assertCount(filter.limit, 'limit');
      limit = ' LIMIT ?';
      args.push(filter.limit);
    }
    // Newest first to apply the limit, then back to creation order (rowid grows with inserts).
    const text = `SELECT * FROM (SELECT rowid AS n, * FROM runs${where.length ? ` WHERE ${where.join(' AND ')}` : ''}
      ORDER BY rowid DESC${limit}) ORDER BY n`;
    return inRead(this.ctx, 'list runs', () =>
      (sql(this.ctx, text).all(...args) as RunRow[]).map(toRun),
    );
  }

  async update(id: string, change: RunUpdate): Promise<Run> {
    assertName(id, 'run id', 200);
    assertCount(change.expectedRevision, 'expected revision');
    const state = change.state === undefined ? undefined : checkState(change.state);
    const data =
      change.data === undefined ? undefined : toJsonText(change.data, `data of run ${id}`);
    return inWrite(this.ctx, `update run ${id}`, () => {
      const run = this.row(id);
      if (!run) throw notFound(id);
      if (change.token !== undefined)
        checkToken(this.ctx, run.leaseKey, change.token, `update of run ${id}`);
      if (run.revision !== change.expectedRevision) {
        throw new LifeboatError(
          'LB_E_STORE_CONFLICT',
          `run ${id} is at revision ${run.revision}, not ${change.expectedRevision}: it changed since it was read`,
          { details: { runId: id, revision: run.revision, expected: change.expectedRevision } },
        );
      }
      sql(
        this.ctx,
        `UPDATE runs SET state = coalesce(?, state), data = coalesce(?, data),
           revision = revision + 1, updated_at = ? WHERE id = ?`,
      ).run(state ?? null, data ?? null, stamp(this.ctx, change.at), id);
      return this.row(id) as Run;
    });
  }

  private row(id: string): Run | undefined {
    const row = sql(this.ctx, 'SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined;
    return row && toRun(row);
  }
}

/** The lease key of a run, read inside the caller's transaction; LB_E_STORE_NOT_FOUND if none. */
export function runLeaseKey(ctx: SqliteContext, runId: string): string {
  const row = sql(ctx, 'SELECT lease_key FROM runs WHERE id = ?').get(runId) as
    | { lease_key: string }
    | undefined;
  if (!row) throw notFound(runId);
  return row.lease_key;
}

function notFound(id: string): LifeboatError {
  return new LifeboatError('LB_E_STORE_NOT_FOUND', `no run ${id} in the state store`);
}

function checkState(state: string): RunState {
  if (!isRunState(state)) throw invalid(`unknown run state ${JSON.stringify(state)}`);
  return state;
}
