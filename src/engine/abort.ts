// The abort path: before the point of no return, undo every step that was started, newest
// first — all of them, even when one fails, each reported. Undos already done before a crash
// are not repeated; an undo that is `manual` is listed for the operator, not waited for (an
// abort must not hang on a human).
import type { PlannedStep } from '../core/runbook/index.js';
import type { RunOutcome } from './events.js';
import { foldJournal, started, undoId } from './journal-state.js';
import type { RunContext } from './run-context.js';
import { errorJson, NO_FACTS, runStep } from './step-runner.js';

export async function executeAbort(rc: RunContext): Promise<RunOutcome> {
  const request = rc.data.abortRequested;
  await rc.update((d) => d, 'aborting', `abort requested by ${request?.by ?? 'unknown'}`);
  await rc.journal(null, 'note', {
    event: 'aborting',
    by: request?.by ?? null,
    reason: request?.reason ?? null,
  });
  const records = foldJournal(await rc.store.journal.read(rc.run.id));
  const toUndo = rc.data.planned.steps
    .filter(
      (s): s is PlannedStep & { undo: NonNullable<PlannedStep['undo']> } =>
        s.undo !== undefined && started(records.get(s.id)),
    )
    .sort((a, b) => (records.get(b.id)?.startedSeq ?? 0) - (records.get(a.id)?.startedSeq ?? 0));
  const undone: string[] = [];
  const manual: string[] = [];
  const failed: string[] = [];
  for (const s of toUndo) {
    const id = undoId(s.id);
    if (records.get(id)?.phase === 'succeeded') {
      undone.push(s.id);
      continue;
    }
    if (s.undo.action === 'manual') {
      await rc.journal(id, 'result', {
        status: 'succeeded',
        manual: true,
        detail: `to do by hand: ${s.undo.description}`,
      });
      manual.push(`${s.id}: ${s.undo.description}`);
      continue;
    }
    try {
      await runStep(
        rc,
        {
          id,
          service: s.service,
          action: s.undo.action,
          target: s.undo.target,
          args: s.undo.args as Record<string, unknown>,
        },
        { timeoutMs: s.timeoutMs, retries: s.retries },
        NO_FACTS,
        { undoOf: s.id },
      );
      undone.push(s.id);
    } catch (e) {
      if (rc.keeper.signal.aborted) throw e;
      const err = errorJson(e);
      failed.push(`${s.id}: ${err.code} ${err.message}`);
    }
  }
  const message = [
    `aborted: ${undone.length} step(s) undone`,
    manual.length > 0 ? `${manual.length} to undo by hand (${manual.join('; ')})` : '',
    failed.length > 0 ? `${failed.length} undo(s) FAILED (${failed.join('; ')})` : '',
  ]
    .filter(Boolean)
    .join(', ');
  await rc.update(({ current: _c, waiting: _w, ...d }) => d, 'aborted', message);
  await rc.audit('run.aborted', { undone, manual, failed });
  return { runId: rc.run.id, state: 'aborted', message };
}
