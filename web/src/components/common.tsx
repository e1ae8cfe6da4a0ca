import type { Health } from '../../../src/server/api-types.js';
import { errorText } from '../api.js';
import type { Verdict } from '../lib/format.js';
import type { OverallStatus } from '../lib/services.js';

const HEALTH_TEXT: Record<Health, string> = { up: 'UP', down: 'DOWN', unknown: 'UNKNOWN' };
const HEALTH_ICON: Record<Health, string> = { up: '●', down: '✕', unknown: '?' };

/** Health in words and colour, with a shape that differs too. */
export function HealthBadge({ health, site }: { health: Health; site?: string }) {
  return (
    <span className={`badge health-${health}`} title={site ? `site ${site}: ${health}` : health}>
      <span aria-hidden="true">{HEALTH_ICON[health]} </span>
      {site ? `${site} ` : ''}
      {HEALTH_TEXT[health]}
    </span>
  );
}

const OVERALL_TEXT: Record<OverallStatus, string> = {
  up: 'OK',
  degraded: 'DEGRADED',
  down: 'DOWN',
  unknown: 'UNKNOWN',
};

export function OverallBadge({ status }: { status: OverallStatus }) {
  return <span className={`badge overall-${status}`}>{OVERALL_TEXT[status]}</span>;
}

export function VerdictText({ verdict, testid }: { verdict: Verdict; testid?: string }) {
  return (
    <span className={`verdict verdict-${verdict.state}`} data-testid={testid} title={verdict.label}>
      {verdict.text}
      {verdict.state === 'over' ? <strong className="verdict-flag"> OVER</strong> : null}
      {verdict.state === 'unknown' ? <span className="sr-only"> ({verdict.label})</span> : null}
    </span>
  );
}

export function RunStateBadge({ state }: { state: string }) {
  return <span className={`badge run-${state}`}>{state.toUpperCase()}</span>;
}

export function ErrorBox({ error, title }: { error: unknown; title?: string }) {
  const e = errorText(error);
  return (
    <div className="error-box" role="alert">
      <strong>{title ?? 'Error'}:</strong> {e.message}
      {e.code ? <code className="error-code"> {e.code}</code> : null}
      {e.hint ? <div className="hint">{e.hint}</div> : null}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="loading" aria-busy="true">
      Loading {what}…
    </p>
  );
}
