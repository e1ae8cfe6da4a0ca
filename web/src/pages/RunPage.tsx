import { Fragment, useCallback, useEffect, useId, useRef, useState } from 'react';
import type { RunDetail, RunStep, SequencedEvent, Whoami } from '../../../src/server/api-types.js';
import { api } from '../api.js';
import { ErrorBox, Loading, RunStateBadge } from '../components/common.js';
import { formatDuration, formatTime, shortHash } from '../lib/format.js';
import { canAbort, canApprove } from '../lib/roles.js';
import { awaitingStep, isFinal, pointOfNoReturnIndex, reduceRun } from '../lib/run-state.js';
import { useLive } from '../live.js';
import { Link } from '../router.js';

const PHASE_TEXT: Record<string, string> = {
  pending: 'PENDING',
  intent: 'RUNNING',
  effect: 'APPLIED, CHECKING',
  succeeded: 'DONE',
  failed: 'FAILED',
};

const MAX_BUFFER = 1000;

export function RunPage({ id, who }: { id: string; who: Whoami }) {
  const [run, setRunState] = useState<RunDetail | undefined>(undefined);
  const runRef = useRef<RunDetail | undefined>(undefined);
  const setRun = useCallback((r: RunDetail) => {
    runRef.current = r;
    setRunState(r);
  }, []);
  const [error, setError] = useState<unknown>(undefined);
  const [actionError, setActionError] = useState<unknown>(undefined);
  const [notice, setNotice] = useState<string | undefined>(undefined);
  // Events for this run since the last fetch started: replayed onto the fetched picture, which
  // drops what it already holds (journal seq; run events older than its updatedAt).
  const buffer = useRef<SequencedEvent[]>([]);
  const loading = useRef(0);

  const load = useCallback(() => {
    buffer.current = [];
    const ticket = ++loading.current;
    api<RunDetail>(`runs/${encodeURIComponent(id)}`).then(
      (detail) => {
        if (ticket !== loading.current) return;
        let r = detail;
        for (const ev of buffer.current) {
          if (ev.event.type === 'run' && ev.at <= detail.updatedAt) continue;
          const x = reduceRun(r, ev);
          r = x.run;
        }
        setRun(r);
        setError(undefined);
      },
      (err: unknown) => {
        if (ticket === loading.current) setError(err);
      },
    );
  }, [id, setRun]);

  useEffect(load, [load]);

  useLive((m) => {
    if (m.kind === 'gap') {
      load();
      return;
    }
    const e = m.event.event;
    const mine = (e.type === 'journal' && e.runId === id) || (e.type === 'run' && e.runId === id);
    if (!mine) return;
    if (buffer.current.length < MAX_BUFFER) buffer.current.push(m.event);
    const prev = runRef.current;
    if (!prev) return;
    const x = reduceRun(prev, m.event);
    if (x.run !== prev) setRun(x.run);
    if (x.refetch) load();
  });

  if (!run)
    return error ? <ErrorBox error={error} title={`Run ${id}`} /> : <Loading what={`run ${id}`} />;
  const final = isFinal(run.state);
  const waiting = awaitingStep(run);
  const pnr = pointOfNoReturnIndex(run.steps);
  const current = run.steps.find((s) => s.phase === 'intent' || s.phase === 'effect');

  const approve = async (step: RunStep) => {
    setActionError(undefined);
    setNotice(undefined);
    try {
      await api(`runs/${encodeURIComponent(run.id)}/approve`, {
        method: 'POST',
        body: { stepId: step.id },
      });
      setNotice(`Approval of ${step.id} sent as ${who.name}.`);
    } catch (err) {
      setActionError(err);
    }
  };

  return (
    <article className="run-page" data-testid="run-page">
      <p className="crumbs">
        <Link to={{ page: 'runs' }}>Runs</Link> ›{' '}
        <Link to={{ page: 'service', name: run.service }}>{run.service}</Link>
      </p>
      <h1>
        {run.runbook} of {run.services.length > 1 ? run.services.join(', ') : run.service}{' '}
        <span data-testid="run-state">
          <RunStateBadge state={run.state} />
        </span>
      </h1>
      <p className="run-status" aria-live="polite" data-testid="run-status">
        {final
          ? `Run ${run.state}${run.durationMs !== undefined ? ` after ${formatDuration(run.durationMs)}` : ''}.`
          : waiting
            ? `WAITING FOR APPROVAL of step ${waiting.id}${waiting.approvalRole ? ` (role ${waiting.approvalRole})` : ''}.`
            : current
              ? `Step ${current.id} in progress: ${current.description}`
              : `Run ${run.state}.`}
      </p>
      <dl className="facts">
        <div>
          <dt>Run</dt>
          <dd>
            <code>{run.id}</code>
          </dd>
        </div>
        <div>
          <dt>Requested by</dt>
          <dd>{run.requester ?? '—'}</dd>
        </div>
        <div>
          <dt>Reason</dt>
          <dd>{run.reason ?? '—'}</dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>{formatTime(run.createdAt)}</dd>
        </div>
        <div>
          <dt>Plan</dt>
          <dd>
            <code title={run.planHash}>{shortHash(run.planHash)}</code>
          </dd>
        </div>
        <div>
          <dt>Point of no return</dt>
          <dd data-testid="pnr-state" className={run.pointOfNoReturnPassed ? 't-down' : undefined}>
            {run.pointOfNoReturnPassed
              ? 'PASSED — an abort no longer undoes'
              : pnr >= 0
                ? 'not passed'
                : 'none in this runbook'}
          </dd>
        </div>
      </dl>
      {run.waiting && !final ? (
        <div className="banner banner-warn" role="status" data-testid="waiting-banner">
          <strong>Waiting for approval</strong> of <code>{run.waiting.stepId}</code> (
          {run.waiting.purpose}
          {run.waiting.role ? `, role ${run.waiting.role}` : ''})
          {run.waiting.reason ? `: ${run.waiting.reason}` : ''}
        </div>
      ) : null}
      {run.failure ? (
        <div className="banner banner-error" role="alert" data-testid="failure-banner">
          <strong>FAILED at {run.failure.stepId}</strong> <code>{run.failure.code}</code>:{' '}
          {run.failure.message}
        </div>
      ) : null}
      {error ? <ErrorBox error={error} title="Refresh failed" /> : null}
      {actionError ? <ErrorBox error={actionError} title="Refused" /> : null}
      {notice ? (
        <p className="banner banner-info" role="status" data-testid="action-notice">
          {notice}
        </p>
      ) : null}
      {!final && canAbort(who.role) ? (
        <AbortForm run={run} onDone={setNotice} onError={setActionError} />
      ) : null}

      <h2>Steps</h2>
      <ol className="timeline" data-testid="timeline">
        {run.steps.map((s, i) => (
          <Fragment key={s.id}>
            {i === pnr ? (
              <li className="pnr-marker" data-testid="pnr-marker" aria-label="point of no return">
                POINT OF NO RETURN — from here on an abort does not undo
                {run.pointOfNoReturnPassed ? ' (PASSED)' : ' (not passed)'}
              </li>
            ) : null}
            <StepRow
              step={s}
              index={i}
              canApprove={!final && s.awaitingApproval && canApprove(who.role, s.approvalRole)}
              onApprove={() => void approve(s)}
            />
          </Fragment>
        ))}
      </ol>
      <p className="muted">
        Journal position {run.journalSeq}; updated {formatTime(run.updatedAt)}.
      </p>
    </article>
  );
}

function StepRow({
  step: s,
  index,
  canApprove: approvable,
  onApprove,
}: {
  step: RunStep;
  index: number;
  canApprove: boolean;
  onApprove: () => void;
}) {
  const took =
    s.startedAt && s.endedAt
      ? new Date(s.endedAt).getTime() - new Date(s.startedAt).getTime()
      : undefined;
  return (
    <li
      className={`step phase-${s.phase}${s.awaitingApproval ? ' awaiting' : ''}`}
      data-testid={`step-${s.id}`}
      data-phase={s.phase}
    >
      <div className="step-head">
        <span className="step-index">{index + 1}.</span>
        <span className={`badge phase-badge phase-${s.phase}`} data-testid={`step-phase-${s.id}`}>
          {PHASE_TEXT[s.phase] ?? s.phase.toUpperCase()}
        </span>
        <strong className="step-desc">{s.description}</strong>
        {s.pointOfNoReturn ? <span className="badge pnr">POINT OF NO RETURN</span> : null}
      </div>
      <div className="step-meta">
        <code>{s.id}</code> · {s.action}
        {s.target ? ` on ${s.target}` : ''} · estimate {formatDuration(s.estimateMs)}
        {s.startedAt ? ` · started ${formatTime(s.startedAt)}` : ''}
        {took !== undefined ? ` · took ${formatDuration(took)}` : ''}
        {s.approvalRole ? ` · needs approval (${s.approvalRole})` : ''}
      </div>
      {s.detail ? (
        <div className="step-detail" data-testid={`step-detail-${s.id}`}>
          {s.detail}
        </div>
      ) : null}
      {s.error ? (
        <div className="step-error" role="alert">
          <strong>FAILED</strong> <code>{s.error.code}</code>: {s.error.message}
        </div>
      ) : null}
      {s.undo ? (
        <div className={`step-undo phase-text-${s.undo.phase}`} data-testid={`step-undo-${s.id}`}>
          <strong>Undo: {PHASE_TEXT[s.undo.phase] ?? s.undo.phase.toUpperCase()}</strong>
          {s.undo.detail ? ` — ${s.undo.detail}` : ''}
        </div>
      ) : null}
      {s.awaitingApproval ? (
        <div className="step-approval">
          <strong>Waiting for approval.</strong>{' '}
          {approvable ? (
            <button
              type="button"
              className="approve"
              onClick={onApprove}
              data-testid={`approve-${s.id}`}
            >
              Approve {s.id}
            </button>
          ) : (
            <span>An approver must approve it.</span>
          )}
        </div>
      ) : null}
    </li>
  );
}

function AbortForm({
  run,
  onDone,
  onError,
}: {
  run: RunDetail;
  onDone: (msg: string) => void;
  onError: (err: unknown) => void;
}) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const fid = useId();
  const reasonRef = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    if (open) reasonRef.current?.focus();
  }, [open]);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!reason.trim()) return;
    setBusy(true);
    try {
      await api(`runs/${encodeURIComponent(run.id)}/abort`, {
        method: 'POST',
        body: { reason: reason.trim() },
      });
      onDone('Abort requested.');
      setOpen(false);
      setReason('');
    } catch (err) {
      onError(err);
    } finally {
      setBusy(false);
    }
  };
  if (!open) {
    return (
      <button
        type="button"
        className="danger"
        onClick={() => setOpen(true)}
        data-testid="abort-open"
      >
        Abort run…
      </button>
    );
  }
  return (
    <form
      className="abort-form"
      onSubmit={(e) => void submit(e)}
      onKeyDown={(e) => {
        if (e.key === 'Escape') setOpen(false);
      }}
      data-testid="abort-form"
    >
      <p>
        {run.pointOfNoReturnPassed
          ? 'The point of no return is PASSED: aborting stops the run but does NOT undo what was done.'
          : 'Aborting undoes every step started so far, newest first.'}
      </p>
      <label htmlFor={`${fid}-reason`}>Reason (required, recorded in the audit log)</label>
      <textarea
        ref={reasonRef}
        id={`${fid}-reason`}
        value={reason}
        onChange={(e) => setReason(e.target.value)}
        required
        rows={2}
        data-testid="abort-reason"
      />
      <div className="buttons">
        <button
          type="submit"
          className="danger"
          disabled={busy || !reason.trim()}
          data-testid="abort-submit"
        >
          Abort the run
        </button>
        <button type="button" className="secondary" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
