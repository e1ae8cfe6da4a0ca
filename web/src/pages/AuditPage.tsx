import { useState } from 'react';
import type { AuditRecord } from '../../../src/server/api-types.js';
import { ErrorBox, Loading } from '../components/common.js';
import { formatTime } from '../lib/format.js';
import { auditVerdict } from '../lib/history.js';
import { useApi } from '../use-api.js';

/** GET /audit: an array, or `{ records }` — both are read. */
function recordsOf(v: unknown): AuditRecord[] | undefined {
  if (Array.isArray(v)) return v as AuditRecord[];
  if (v && typeof v === 'object' && Array.isArray((v as { records?: unknown }).records)) {
    return (v as { records: AuditRecord[] }).records;
  }
  return undefined;
}

export function AuditPage() {
  const audit = useApi<unknown>('audit');
  const verify = useApi<unknown>('audit/verify');
  const [filter, setFilter] = useState('');
  const records = recordsOf(audit.data);
  const verdict = auditVerdict(verify.data);
  const f = filter.toLowerCase();
  const shown = (records ?? [])
    .filter((r) => !f || `${r.actor} ${r.action} ${r.subject}`.toLowerCase().includes(f))
    .sort((a, b) => b.seq - a.seq);
  return (
    <article data-testid="audit-page">
      <h1>Audit log</h1>
      <div
        className={`banner ${verdict.state === 'ok' ? 'banner-ok' : verdict.state === 'broken' ? 'banner-error' : 'banner-warn'}`}
        role={verdict.state === 'broken' ? 'alert' : 'status'}
        data-testid="audit-verify"
      >
        <strong>Hash chain: </strong>
        {verify.error
          ? 'verification failed to run'
          : verify.loading && !verify.data
            ? 'verifying…'
            : verdict.text}{' '}
        <button type="button" className="secondary" onClick={verify.reload}>
          Verify again
        </button>
      </div>
      {verify.error ? <ErrorBox error={verify.error} title="Verify" /> : null}
      {audit.error ? <ErrorBox error={audit.error} title="Audit log" /> : null}
      <label className="inline-filter">
        Filter{' '}
        <input
          type="search"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          placeholder="actor, action, subject"
        />
      </label>
      {!records ? (
        audit.error ? null : (
          <Loading what="audit log" />
        )
      ) : (
        <table className="compact audit" data-testid="audit-table">
          <caption>
            {shown.length} of {records.length} records, newest first
          </caption>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">At</th>
              <th scope="col">Actor</th>
              <th scope="col">Action</th>
              <th scope="col">Subject</th>
              <th scope="col">Data</th>
              <th scope="col">Hash</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <tr key={r.seq}>
                <td>{r.seq}</td>
                <td>{formatTime(r.at)}</td>
                <td>{r.actor}</td>
                <td>{r.action}</td>
                <td>{r.subject}</td>
                <td>
                  <code className="data">{r.data === undefined ? '' : JSON.stringify(r.data)}</code>
                </td>
                <td>
                  <code title={r.hash}>{r.hash.slice(0, 10)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </article>
  );
}
