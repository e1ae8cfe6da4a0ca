import { useEffect, useState } from 'react';
import type { PlanStatus, Whoami } from '../../../src/server/api-types.js';
import { logout } from '../api.js';
import { formatAgo, formatTime, shortHash } from '../lib/format.js';
import type { Route } from '../lib/router.js';
import { type Connection, useConnection, useLive } from '../live.js';
import { Link } from '../router.js';
import { useApi } from '../use-api.js';

const CONNECTION_TEXT: Record<Connection, string> = {
  connecting: 'connecting…',
  live: 'LIVE',
  reconnecting: 'RECONNECTING',
  offline: 'OFFLINE',
};

const NAV: { to: Route; label: string; pages: Route['page'][] }[] = [
  { to: { page: 'overview' }, label: 'Services', pages: ['overview', 'service', 'login'] },
  { to: { page: 'runs' }, label: 'Runs', pages: ['runs', 'run'] },
  { to: { page: 'plan' }, label: 'Plan', pages: ['plan'] },
  { to: { page: 'audit' }, label: 'Audit', pages: ['audit'] },
];

export function Header({
  who,
  route,
  onLogout,
}: {
  who: Whoami;
  route: Route;
  onLogout: () => void;
}) {
  const connection = useConnection();
  const plan = useApi<PlanStatus>('plan/status');
  useLive((m) => {
    if (m.kind === 'gap') plan.reload();
    else if (m.event.event.type === 'plan') plan.setData(m.event.event.status);
  });
  const status = plan.data;
  // "loaded 3 min ago" stays true without events.
  const [, setTick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => setTick((n) => n + 1), 15_000);
    return () => clearInterval(t);
  }, []);

  return (
    <>
      {/* A button, not href="#main": the hash is the router's. */}
      <button
        type="button"
        className="skip-link"
        onClick={() => document.getElementById('main')?.focus()}
      >
        Skip to content
      </button>
      <header className="top">
        <span className="brand">Lifeboat</span>
        <nav aria-label="Main">
          <ul>
            {NAV.map((n) => (
              <li key={n.label}>
                <Link to={n.to} aria-current={n.pages.includes(route.page) ? 'page' : undefined}>
                  {n.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="top-status">
          <span
            className={`conn conn-${connection}`}
            data-testid="connection-state"
            role="status"
            aria-label={`live updates: ${connection}`}
          >
            <span aria-hidden="true">{connection === 'live' ? '● ' : '○ '}</span>
            {CONNECTION_TEXT[connection]}
          </span>
          <span className="plan-status" data-testid="plan-status">
            {status ? (
              <>
                Plan <code title={status.hash}>{shortHash(status.hash)}</code> loaded{' '}
                <time dateTime={status.loadedAt} title={formatTime(status.loadedAt)}>
                  {formatAgo(status.loadedAt)}
                </time>
                {status.failedReloads > 0 ? ` · ${status.failedReloads} failed reload(s)` : ''}
              </>
            ) : plan.error ? (
              'Plan status unavailable'
            ) : (
              'Plan…'
            )}
          </span>
          <span className="who" data-testid="whoami">
            {who.name} <span className="role">({who.role})</span>
          </span>
          <button
            type="button"
            className="secondary"
            onClick={() => {
              void logout().finally(onLogout);
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      {status?.lastError ? (
        <div className="banner banner-error" role="alert" data-testid="plan-error-banner">
          <strong>The plan on disk is INVALID — the running plan stays in use.</strong> Reload
          failed {formatAgo(status.lastError.at)} ({formatTime(status.lastError.at)}):{' '}
          {status.lastError.message}
          {status.lastError.diagnostics.length > 0 ? (
            <ul>
              {status.lastError.diagnostics.slice(0, 10).map((d) => (
                <li key={d}>
                  <code>{d}</code>
                </li>
              ))}
              {status.lastError.diagnostics.length > 10 ? (
                <li>… {status.lastError.diagnostics.length - 10} more</li>
              ) : null}
            </ul>
          ) : null}
        </div>
      ) : null}
      {connection === 'offline' || connection === 'reconnecting' ? (
        <div className="banner banner-warn" role="status" data-testid="connection-banner">
          Live updates are {connection === 'offline' ? 'OFF' : 'interrupted'}: what you see may be
          out of date. Retrying…
        </div>
      ) : null}
    </>
  );
}
