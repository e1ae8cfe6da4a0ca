import type { RunSummary } from '../../../src/server/api-types.js';
import { ErrorBox, Loading } from '../components/common.js';
import { RunsTable } from '../components/RunsTable.js';
import { useLive } from '../live.js';
import { useApi } from '../use-api.js';

export function RunsPage() {
  const runs = useApi<RunSummary[]>('runs');
  useLive((m) => {
    if (m.kind === 'gap' || m.event.event.type === 'run') runs.reload();
  });
  return (
    <section>
      <h1>Runs</h1>
      {runs.error ? <ErrorBox error={runs.error} title="Runs" /> : null}
      {runs.data ? (
        <RunsTable runs={runs.data} caption="Newest first" />
      ) : runs.error ? null : (
        <Loading what="runs" />
      )}
    </section>
  );
}
