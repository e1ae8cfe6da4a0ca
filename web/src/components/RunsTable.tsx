import type { RunSummary } from '../../../src/server/api-types.js';
import { formatDuration, formatTime } from '../lib/format.js';
import { Link } from '../router.js';
import { RunStateBadge } from './common.js';

export function RunsTable({ runs, caption }: { runs: RunSummary[]; caption: string }) {
  if (runs.length === 0) return <p>No runs.</p>;
  const sorted = [...runs].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return (
    <table className="runs" data-testid="runs-table">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Run</th>
          <th scope="col">Runbook</th>
          <th scope="col">Service</th>
          <th scope="col">State</th>
          <th scope="col">Requested by</th>
          <th scope="col">Created</th>
          <th scope="col">Duration</th>
          <th scope="col">Point of no return</th>
        </tr>
      </thead>
      <tbody>
        {sorted.map((r) => (
          <tr key={r.id} data-testid={`run-row-${r.id}`}>
            <th scope="row">
              <Link to={{ page: 'run', id: r.id }}>{r.id.slice(0, 8)}</Link>
            </th>
            <td>{r.runbook}</td>
            <td>{r.services.length > 1 ? r.services.join(', ') : r.service}</td>
            <td>
              <RunStateBadge state={r.state} />
            </td>
            <td>{r.requester ?? '—'}</td>
            <td>{formatTime(r.createdAt)}</td>
            <td>{formatDuration(r.durationMs)}</td>
            <td>{r.pointOfNoReturnPassed ? 'PASSED' : 'not passed'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
