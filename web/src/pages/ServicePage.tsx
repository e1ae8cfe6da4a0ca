import { lazy, Suspense, useMemo } from 'react';
import type { ProbeSample, RunSummary, ServiceStatus } from '../../../src/server/api-types.js';
import { ErrorBox, HealthBadge, Loading, OverallBadge, VerdictText } from '../components/common.js';
import { RunsTable } from '../components/RunsTable.js';
import { Topology } from '../components/Topology.js';
import { formatAgo, formatDuration, formatTime, rpoVerdict, rtoVerdict } from '../lib/format.js';
import { lagSeries, polyline, sparkline, summarizeProbes } from '../lib/history.js';
import { overallStatus, trafficKinds } from '../lib/services.js';
import { useLive } from '../live.js';
import { Link } from '../router.js';
import { useApi } from '../use-api.js';

const LagChart = lazy(() => import('../components/LagChart.js'));

type RpoPoint = { at: string; dataSet: string; rpoMs?: number };

const MAX_PROBES = 200;
const MAX_RPO = 500;

export function ServicePage({ name }: { name: string }) {
  const enc = encodeURIComponent(name);
  const svc = useApi<ServiceStatus>(`services/${enc}`);
  const probes = useApi<ProbeSample[]>(`services/${enc}/probes`);
  const rpo = useApi<RpoPoint[]>(`services/${enc}/rpo`);
  const runs = useApi<RunSummary[]>(`services/${enc}/runs`);
  const plan = useApi<unknown>('plan');

  useLive((m) => {
    if (m.kind === 'gap') {
      svc.reload();
      probes.reload();
      rpo.reload();
      runs.reload();
      return;
    }
    const e = m.event.event;
    if (e.type === 'service' && e.service.name === name) {
      svc.setData(e.service);
      const points = e.service.rpo
        .filter((r) => r.observedAt && r.kind !== 'none')
        .map((r) => ({ at: r.observedAt as string, dataSet: r.dataSet, rpoMs: r.rpoMs }));
      if (points.length > 0) {
        rpo.setData((prev) => {
          const seen = new Set((prev ?? []).map((p) => `${p.dataSet}@${p.at}`));
          const fresh = points.filter((p) => !seen.has(`${p.dataSet}@${p.at}`));
          return fresh.length === 0 ? prev : [...(prev ?? []), ...fresh].slice(-MAX_RPO);
        });
      }
    } else if (e.type === 'probe' && e.sample.service === name) {
      probes.setData((prev) => [...(prev ?? []), e.sample].slice(-MAX_PROBES));
    } else if (e.type === 'run' && e.service === name) {
      runs.reload();
    }
  });

  const s = svc.data;
  const series = useMemo(() => lagSeries(rpo.data ?? []), [rpo.data]);
  const traffic = useMemo(() => trafficKinds(plan.data, name), [plan.data, name]);

  if (!s)
    return svc.error ? (
      <ErrorBox error={svc.error} title={`Service ${name}`} />
    ) : (
      <Loading what={name} />
    );
  const overall = overallStatus(s);
  return (
    <article className="service-page" data-testid="service-page">
      <p className="crumbs">
        <Link to={{ page: 'overview' }}>Services</Link> › {s.tier}
      </p>
      <h1>
        {s.name} <OverallBadge status={overall} />
      </h1>
      <dl className="facts">
        <div>
          <dt>Tier</dt>
          <dd>{s.tier}</dd>
        </div>
        <div>
          <dt>Active site</dt>
          <dd data-testid={`active-site-${s.name}`} className="active-site">
            {s.activeSite ?? '—'}
          </dd>
        </div>
        <div>
          <dt>Sites</dt>
          <dd>
            {s.sites.map((x) => (
              <span key={x.site} data-testid={`site-${s.name}-${x.site}`}>
                <HealthBadge health={x.health} site={x.site} />{' '}
              </span>
            ))}
          </dd>
        </div>
        <div>
          <dt>RPO now / target</dt>
          <dd>
            <VerdictText verdict={rpoVerdict(s.rpo, s.rpoTargetMs)} testid={`rpo-${s.name}`} />
          </dd>
        </div>
        <div>
          <dt>Planned RTO / target</dt>
          <dd>
            <VerdictText verdict={rtoVerdict(s.plannedRtoMs, s.rtoTargetMs)} />
          </dd>
        </div>
        <div>
          <dt>Ready to fail over</dt>
          <dd data-testid="ready">
            {s.readyToFailOver ? 'YES' : 'NO'}
            {s.readinessDetail ? ` — ${s.readinessDetail}` : ''}
          </dd>
        </div>
        <div>
          <dt>On outage</dt>
          <dd>{s.onOutage}</dd>
        </div>
      </dl>
      {s.outage ? (
        <div className="banner banner-error" role="alert" data-testid="outage-banner">
          <strong>OUTAGE of site {s.outage.site}</strong> since {formatTime(s.outage.since)} (
          {formatAgo(s.outage.since)}), confirmed by {s.outage.confirmedBy.join(', ')}; action:{' '}
          {s.outage.action}
          {s.outage.detail ? ` (${s.outage.detail})` : ''}
          {s.outage.runId ? (
            <>
              {' '}
              —{' '}
              <Link to={{ page: 'run', id: s.outage.runId }}>run {s.outage.runId.slice(0, 8)}</Link>
            </>
          ) : null}
        </div>
      ) : null}
      {s.activeRunId ? (
        <p className="banner banner-info">
          A run is acting on this service:{' '}
          <Link to={{ page: 'run', id: s.activeRunId }}>open run {s.activeRunId.slice(0, 8)}</Link>
        </p>
      ) : null}

      <section aria-labelledby="topo-h">
        <h2 id="topo-h">Topology</h2>
        <Topology s={s} traffic={traffic} />
        <table className="compact">
          <caption>Data sets</caption>
          <thead>
            <tr>
              <th scope="col">Data set</th>
              <th scope="col">Kind</th>
              <th scope="col">RPO now</th>
              <th scope="col">Target</th>
              <th scope="col">Observed</th>
              <th scope="col">Detail</th>
            </tr>
          </thead>
          <tbody>
            {s.rpo.map((r) => (
              <tr key={r.dataSet}>
                <th scope="row">{r.dataSet}</th>
                <td>{r.kind}</td>
                <td className={r.within === false ? 'verdict-over' : undefined}>
                  {formatDuration(r.rpoMs)}
                  {r.within === false ? ' OVER' : ''}
                </td>
                <td>{formatDuration(r.targetMs)}</td>
                <td>{formatAgo(r.observedAt)}</td>
                <td>{r.detail ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section aria-labelledby="lag-h">
        <h2 id="lag-h">RPO / replication lag</h2>
        {rpo.error ? <ErrorBox error={rpo.error} title="RPO history" /> : null}
        {series.length > 0 ? (
          <Suspense fallback={<Loading what="chart" />}>
            <LagChart series={series} targetMs={s.rpoTargetMs} />
          </Suspense>
        ) : (
          <p>No RPO history yet.</p>
        )}
      </section>

      <section aria-labelledby="probes-h">
        <h2 id="probes-h">Probes</h2>
        {probes.error ? <ErrorBox error={probes.error} title="Probe history" /> : null}
        {probes.data ? (
          <ProbeHistory samples={probes.data} />
        ) : probes.error ? null : (
          <Loading what="probes" />
        )}
      </section>

      <section aria-labelledby="runs-h">
        <h2 id="runs-h">Runs</h2>
        {runs.error ? <ErrorBox error={runs.error} title="Runs" /> : null}
        {runs.data ? (
          <RunsTable runs={runs.data} caption={`Runs of ${s.name}, newest first`} />
        ) : null}
      </section>
    </article>
  );
}

function ProbeHistory({ samples }: { samples: ProbeSample[] }) {
  const sum = summarizeProbes(samples);
  const pts = sparkline(samples, 300, 40);
  const recent = samples.slice(-50).reverse();
  return (
    <>
      <p>
        {sum.total} samples,{' '}
        <strong className={sum.failed > 0 ? 't-down' : undefined}>{sum.failed} failed</strong>,
        median {formatDuration(sum.medianMs)}.
      </p>
      {pts.length > 1 ? (
        <svg
          className="sparkline"
          viewBox="0 0 300 40"
          width="300"
          height="40"
          role="img"
          aria-label={`probe durations, ${sum.failed} failures of ${sum.total}`}
          data-testid="probe-sparkline"
        >
          <polyline points={polyline(pts)} className="spark-line" />
          {pts
            .filter((p) => !p.ok)
            .map((p) => (
              <circle key={`${p.x}`} cx={p.x} cy={p.y} r={3} className="spark-fail" />
            ))}
        </svg>
      ) : null}
      <table className="compact" data-testid="probe-table">
        <caption>Last {recent.length} probe results, newest first</caption>
        <thead>
          <tr>
            <th scope="col">At</th>
            <th scope="col">Probe</th>
            <th scope="col">Site</th>
            <th scope="col">From</th>
            <th scope="col">Result</th>
            <th scope="col">Time</th>
            <th scope="col">Detail</th>
          </tr>
        </thead>
        <tbody>
          {recent.map((p) => (
            <tr key={`${p.at}-${p.probe}-${p.from}-${p.site ?? ''}`}>
              <td>{formatTime(p.at)}</td>
              <td>{p.probe}</td>
              <td>{p.site ?? '—'}</td>
              <td>{p.from}</td>
              <td className={p.ok ? 't-up' : 't-down'}>{p.ok ? 'OK' : 'FAILED'}</td>
              <td>{formatDuration(p.ms)}</td>
              <td>{p.detail ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
