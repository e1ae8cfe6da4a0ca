import { Suspense, useCallback, useEffect, useState } from 'react';
import type { Whoami } from '../../src/server/api-types.js';
import { ApiFailure, setUnauthorizedHandler, whoami } from './api.js';
import { ErrorBox, Loading } from './components/common.js';
import { Header } from './components/Header.js';
import { LiveProvider } from './live.js';
import { AuditPage } from './pages/AuditPage.js';
import { LoginPage } from './pages/LoginPage.js';
import { Overview } from './pages/Overview.js';
import { PlanPage } from './pages/PlanPage.js';
import { RunPage } from './pages/RunPage.js';
import { RunsPage } from './pages/RunsPage.js';
import { ServicePage } from './pages/ServicePage.js';
import { useRoute } from './router.js';

type Session = { state: 'loading' } | { state: 'out' } | { state: 'in'; who: Whoami };

export function App() {
  const route = useRoute();
  const [session, setSession] = useState<Session>({ state: 'loading' });
  const [fatal, setFatal] = useState<unknown>(undefined);

  useEffect(() => {
    setUnauthorizedHandler(() => setSession({ state: 'out' }));
    whoami().then(
      (who) => setSession({ state: 'in', who }),
      (err: unknown) => {
        if (err instanceof ApiFailure && err.status === 401) setSession({ state: 'out' });
        else {
          setFatal(err);
          setSession({ state: 'out' });
        }
      },
    );
    return () => setUnauthorizedHandler(undefined);
  }, []);

  const onLogin = useCallback((who: Whoami) => {
    setFatal(undefined);
    setSession({ state: 'in', who });
    if (window.location.hash === '#/login') window.location.hash = '#/';
  }, []);

  useEffect(() => {
    const title =
      route.page === 'service' ? route.name : route.page === 'run' ? `run ${route.id}` : route.page;
    document.title = `${title} · Lifeboat`;
  }, [route]);

  if (session.state === 'loading') return <Loading what="session" />;
  if (session.state === 'out') {
    return (
      <main className="login-main">
        {fatal ? <ErrorBox error={fatal} title="Server" /> : null}
        <LoginPage onLogin={onLogin} />
      </main>
    );
  }
  const who = session.who;
  return (
    <LiveProvider>
      <Header who={who} route={route} onLogout={() => setSession({ state: 'out' })} />
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<Loading what="page" />}>
          {route.page === 'overview' || route.page === 'login' ? <Overview /> : null}
          {route.page === 'service' ? <ServicePage key={route.name} name={route.name} /> : null}
          {route.page === 'runs' ? <RunsPage /> : null}
          {route.page === 'run' ? <RunPage key={route.id} id={route.id} who={who} /> : null}
          {route.page === 'plan' ? <PlanPage /> : null}
          {route.page === 'audit' ? <AuditPage /> : null}
          {route.page === 'not-found' ? (
            <p role="alert">
              No page at <code>{route.path}</code>. <a href="#/">Overview</a>
            </p>
          ) : null}
        </Suspense>
      </main>
    </LiveProvider>
  );
}
