import { useEffect, useState } from 'react';
import { href, parseRoute, type Route } from './lib/router.js';

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}

export function navigate(route: Route): void {
  window.location.hash = href(route);
}

export function Link({
  to,
  children,
  className,
  ...rest
}: { to: Route; children: React.ReactNode; className?: string } & Omit<
  React.AnchorHTMLAttributes<HTMLAnchorElement>,
  'href'
>) {
  return (
    <a href={href(to)} className={className} {...rest}>
      {children}
    </a>
  );
}
