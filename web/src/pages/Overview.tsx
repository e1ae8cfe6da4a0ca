import { memo, useDeferredValue, useEffect, useId, useMemo, useRef, useState } from 'react';
import type { ServiceStatus } from '../../../src/server/api-types.js';
import { ErrorBox, HealthBadge, Loading, OverallBadge, VerdictText } from '../components/common.js';
import { formatCount, rpoVerdict, rtoVerdict } from '../lib/format.js';
import {
  countStatuses,
  groupByTier,
  overallStatus,
  type ServiceFilter,
  type ServiceSort,
  tiersOf,
  upsertService,
} from '../lib/services.js';
import { useLive } from '../live.js';
import { Link } from '../router.js';
import { useApi } from '../use-api.js';

const STATUS_OPTIONS: { value: ServiceFilter['status']; label: string }[] = [
  { value: '', label: 'Any status' },
  { value: 'attention', label: 'Needs attention (not OK)' },
  { value: 'down', label: 'Down' },
  { value: 'degraded', label: 'Degraded' },
  { value: 'unknown', label: 'Unknown' },
  { value: 'up', label: 'OK' },
  { value: 'running', label: 'Run in progress' },
];

export function Overview() {
  const services = useApi<ServiceStatus[]>('services');
  const [tier, setTier] = useState('');
  const [status, setStatus] = useState<ServiceFilter['status']>('');
  const [text, setText] = useState('');
  const [sort, setSort] = useState<ServiceSort>('name');
  const deferredText = useDeferredValue(text);
  const id = useId();

  // `service` events arrive one per change; they are applied in batches (at most ~4 renders/s).
  const pending = useRef(new Map<string, ServiceStatus>());
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const { setData, reload } = services;
  useLive((m) => {
    if (m.kind === 'gap') {
      reload();
      return;
    }
    const e = m.event.event;
    if (e.type !== 'service') return;
    pending.current.set(e.service.name, e.service);
    timer.current ??= setTimeout(() => {
      timer.current = undefined;
      const batch = [...pending.current.values()];
      pending.current.clear();
      setData((prev) => (prev ? batch.reduce(upsertService, prev) : prev));
    }, 250);
  });
  useEffect(() => () => clearTimeout(timer.current), []);

  const all = services.data;
  const filter = useMemo(
    () => ({ tier, status, text: deferredText }),
    [tier, status, deferredText],
  );
  const groups = useMemo(() => (all ? groupByTier(all, filter, sort) : []), [all, filter, sort]);
  const tiers = useMemo(() => (all ? tiersOf(all) : []), [all]);
  const counts = useMemo(() => (all ? countStatuses(all) : undefined), [all]);
  const shown = groups.reduce((n, g) => n + g.services.length, 0);

  if (!all) {
    return services.error ? (
      <ErrorBox error={services.error} title="Services" />
    ) : (
      <Loading what="services" />
    );
  }
  return (
    <section aria-labelledby={`${id}-h`} className="overview">
      <h1 id={`${id}-h`}>Services</h1>
      {services.error ? <ErrorBox error={services.error} title="Refresh failed" /> : null}
      {counts ? (
        <p className="summary" data-testid="overview-summary">
          {formatCount(all.length)} services: <span className="t-down">{counts.down} down</span>,{' '}
          <span className="t-degraded">{counts.degraded} degraded</span>,{' '}
          <span className="t-unknown">{counts.unknown} unknown</span>,{' '}
          <span className="t-up">{counts.up} OK</span>
          {counts.running > 0 ? `; ${counts.running} with a run in progress` : ''}
        </p>
      ) : null}
      <form className="filters" aria-label="Filter services" onSubmit={(e) => e.preventDefault()}>
        <label>
          Tier
          <select value={tier} onChange={(e) => setTier(e.target.value)} data-testid="filter-tier">
            <option value="">All tiers</option>
            {tiers.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select
            value={status}
            onChange={(e) => setStatus(e.target.value as ServiceFilter['status'])}
            data-testid="filter-status"
          >
            {STATUS_OPTIONS.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Search
          <input
            type="search"
            value={text}
            placeholder="name, tier, site"
            onChange={(e) => setText(e.target.value)}
            data-testid="filter-text"
          />
        </label>
        <label>
          Order
          <select
            value={sort}
            onChange={(e) => setSort(e.target.value as ServiceSort)}
            data-testid="sort"
          >
            <option value="name">By name</option>
            <option value="status">Worst first</option>
          </select>
        </label>
        <output data-testid="overview-shown" aria-live="polite">
          {formatCount(shown)} of {formatCount(all.length)} shown
        </output>
      </form>
      {groups.map((g) =>
        g.services.length === 0 ? null : (
          <TierSection key={g.tier} tier={g.tier} services={g.services} total={g.total} />
        ),
      )}
      {shown === 0 ? <p>No service matches these filters.</p> : null}
    </section>
  );
}

const TierSection = memo(function TierSection({
  tier,
  services,
  total,
}: {
  tier: string;
  services: ServiceStatus[];
  total: number;
}) {
  const hid = `tier-${tier}`;
  return (
    <section className="tier" aria-labelledby={hid} data-testid={`tier-${tier}`}>
      <h2 id={hid}>
        {tier}{' '}
        <span className="count" data-testid={`tier-count-${tier}`}>
          {services.length === total
            ? `${formatCount(total)} services`
            : `${formatCount(services.length)} of ${formatCount(total)} services`}
        </span>
      </h2>
      <table className="services">
        <colgroup>
          <col className="c-name" />
          <col className="c-status" />
          <col className="c-sites" />
          <col className="c-active" />
          <col className="c-rpo" />
          <col className="c-rto" />
          <col className="c-run" />
        </colgroup>
        <thead>
          <tr>
            <th scope="col">Service</th>
            <th scope="col">Status</th>
            <th scope="col">Sites</th>
            <th scope="col">Active site</th>
            <th scope="col">RPO now / target</th>
            <th scope="col">Planned RTO / target</th>
            <th scope="col">Outage / run</th>
          </tr>
        </thead>
        <tbody>
          {services.map((s) => (
            <ServiceRow key={s.name} s={s} />
          ))}
        </tbody>
      </table>
    </section>
  );
});

/** One row; re-renders only when its service object changes (events replace one at a time). */
export const ServiceRow = memo(function ServiceRow({ s }: { s: ServiceStatus }) {
  const overall = overallStatus(s);
  return (
    <tr data-testid={`service-${s.name}`} className={`row-${overall}`}>
      <th scope="row">
        <Link to={{ page: 'service', name: s.name }}>{s.name}</Link>
      </th>
      <td>
        <OverallBadge status={overall} />
      </td>
      <td className="sites">
        {s.sites.map((site) => (
          <span key={site.site} data-testid={`site-${s.name}-${site.site}`}>
            <HealthBadge health={site.health} site={site.site} />
          </span>
        ))}
      </td>
      <td data-testid={`active-site-${s.name}`} className="active-site">
        {s.activeSite ?? '—'}
      </td>
      <td>
        <VerdictText verdict={rpoVerdict(s.rpo, s.rpoTargetMs)} testid={`rpo-${s.name}`} />
      </td>
      <td>
        <VerdictText verdict={rtoVerdict(s.plannedRtoMs, s.rtoTargetMs)} />
      </td>
      <td>
        {s.outage ? (
          <span className="badge outage" data-testid={`outage-${s.name}`} title={s.outage.detail}>
            OUTAGE site {s.outage.site}: {s.outage.action}
          </span>
        ) : null}
        {s.outage?.runId && s.outage.runId !== s.activeRunId ? (
          <Link
            to={{ page: 'run', id: s.outage.runId }}
            className="run-link"
            data-testid={`outage-run-link-${s.name}`}
          >
            {s.outage.action === 'proposed' ? 'proposed run' : 'run'} {s.outage.runId.slice(0, 8)}
          </Link>
        ) : null}
        {s.activeRunId ? (
          <Link
            to={{ page: 'run', id: s.activeRunId }}
            className="run-link"
            data-testid={`run-link-${s.name}`}
          >
            run {s.activeRunId.slice(0, 8)}
          </Link>
        ) : null}
        {!s.outage && !s.activeRunId ? <span className="muted">—</span> : null}
      </td>
    </tr>
  );
});
