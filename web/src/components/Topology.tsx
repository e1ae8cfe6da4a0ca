import type { ServiceStatus } from '../../../src/server/api-types.js';
import { formatDuration } from '../lib/format.js';

const W = 560;
const BOX_W = 170;
const BOX_H = 78;

/** Sites, the active one, data replication between them and how clients reach the service. */
export function Topology({ s, traffic }: { s: ServiceStatus; traffic: string[] }) {
  const sites =
    s.sites.length > 0 ? s.sites : [{ site: s.activeSite ?? '?', health: 'unknown' as const }];
  const gap = sites.length > 1 ? (W - 40 - BOX_W * sites.length) / (sites.length - 1) : 0;
  const x = (i: number) => (sites.length === 1 ? (W - BOX_W) / 2 : 20 + i * (BOX_W + gap));
  const y = 110;
  const active = sites.findIndex((x) => x.site === s.activeSite);
  const from = Math.max(active, 0);
  const replicated = s.rpo.filter((r) => r.kind !== 'none');
  const trafficText = traffic.length > 0 ? traffic.join(', ') : 'traffic: not in the plan view';
  const description = [
    `Sites: ${sites.map((x) => `${x.site} ${x.health}`).join(', ')}.`,
    s.activeSite ? `Active site: ${s.activeSite}.` : 'Active site unknown.',
    replicated.length > 0
      ? `Data: ${replicated.map((r) => `${r.dataSet} (${r.kind})`).join(', ')}.`
      : 'No replicated data.',
    `Traffic: ${traffic.join(', ') || 'unknown'}.`,
  ].join(' ');
  return (
    <figure className="topology" data-testid="topology">
      <svg
        viewBox={`0 0 ${W} 260`}
        role="img"
        aria-label={description}
        width="100%"
        style={{ maxWidth: W }}
      >
        <title>{description}</title>
        <defs>
          <marker
            id="topo-arrow"
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerWidth="7"
            markerHeight="7"
            orient="auto-start-reverse"
          >
            <path d="M0,0 L10,5 L0,10 z" className="topo-arrowhead" />
          </marker>
        </defs>
        <rect x={W / 2 - 80} y={8} width={160} height={34} rx={6} className="topo-clients" />
        <text x={W / 2} y={30} textAnchor="middle" className="topo-label">
          clients
        </text>
        {active >= 0 ? (
          <line
            x1={W / 2}
            y1={42}
            x2={x(active) + BOX_W / 2}
            y2={y - 2}
            className="topo-traffic"
            markerEnd="url(#topo-arrow)"
          />
        ) : null}
        <text x={W / 2} y={70} textAnchor="middle" className="topo-small">
          {trafficText}
        </text>
        {sites.map((site, i) => (
          <g key={site.site}>
            <rect
              x={x(i)}
              y={y}
              width={BOX_W}
              height={BOX_H}
              rx={8}
              className={`topo-site topo-${site.health}${i === active ? ' topo-active' : ''}`}
            />
            <text x={x(i) + BOX_W / 2} y={y + 26} textAnchor="middle" className="topo-label">
              site {site.site}
            </text>
            <text x={x(i) + BOX_W / 2} y={y + 48} textAnchor="middle" className="topo-small">
              {site.health.toUpperCase()}
              {i === active ? ' · ACTIVE' : ''}
            </text>
          </g>
        ))}
        {sites.length > 1
          ? sites.map((site, i) =>
              i === from ? null : (
                <g key={`rep-${site.site}`}>
                  <line
                    x1={i > from ? x(from) + BOX_W : x(from)}
                    y1={y + BOX_H / 2}
                    x2={i > from ? x(i) : x(i) + BOX_W}
                    y2={y + BOX_H / 2}
                    className="topo-replication"
                    markerEnd="url(#topo-arrow)"
                  />
                </g>
              ),
            )
          : null}
        {replicated.map((r, k) => (
          <text
            key={r.dataSet}
            x={W / 2}
            y={y + BOX_H + 24 + k * 18}
            textAnchor="middle"
            className="topo-small"
          >
            {r.dataSet}: {r.kind}, RPO {formatDuration(r.rpoMs)} / {formatDuration(r.targetMs)}
          </text>
        ))}
      </svg>
      <figcaption className="sr-only">{description}</figcaption>
    </figure>
  );
}
