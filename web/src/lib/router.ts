// Pure: the dashboard's routes, in the URL's hash (`#/services/app-db`) so that the server
// serves one index.html and a reload keeps the page.

export type Route =
  | { page: 'overview' }
  | { page: 'login' }
  | { page: 'service'; name: string }
  | { page: 'runs' }
  | { page: 'run'; id: string }
  | { page: 'plan' }
  | { page: 'audit' }
  | { page: 'not-found'; path: string };

function decode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '').replace(/\?.*$/, '') || '/';
  const parts = path.split('/').filter(Boolean);
  const [first, second] = parts;
  if (parts.length === 0) return { page: 'overview' };
  if (parts.length === 1) {
    if (first === 'login') return { page: 'login' };
    if (first === 'runs') return { page: 'runs' };
    if (first === 'plan') return { page: 'plan' };
    if (first === 'audit') return { page: 'audit' };
    if (first === 'services') return { page: 'overview' };
  }
  if (parts.length === 2 && second !== undefined) {
    const v = decode(second);
    if (v !== undefined && first === 'services') return { page: 'service', name: v };
    if (v !== undefined && first === 'runs') return { page: 'run', id: v };
  }
  return { page: 'not-found', path };
}

export function href(route: Route): string {
  switch (route.page) {
    case 'overview':
      return '#/';
    case 'login':
      return '#/login';
    case 'service':
      return `#/services/${encodeURIComponent(route.name)}`;
    case 'runs':
      return '#/runs';
    case 'run':
      return `#/runs/${encodeURIComponent(route.id)}`;
    case 'plan':
      return '#/plan';
    case 'audit':
      return '#/audit';
    case 'not-found':
      return `#${route.path}`;
  }
}
