// The layer rule of DEVELOPERS.md: a layer imports only the layers below it.
// Pure so that it can be unit tested; scripts/check-layers.ts feeds it the tree.
import { posix } from 'node:path';

export interface LayerViolation {
  file: string;
  line: number;
  specifier: string;
  reason: string;
}

type Layer =
  | 'core'
  | 'drivers'
  | 'driver-interface'
  | 'store'
  | 'engine'
  | 'controller'
  | 'server'
  | 'cli'
  | 'lab'
  | 'web';

/** Which layers each layer may import (its own is always allowed). */
const ALLOWED: Record<Layer, readonly Layer[]> = {
  core: [],
  'driver-interface': ['core'],
  drivers: ['core', 'driver-interface'],
  store: ['core'],
  engine: ['core', 'store', 'driver-interface'],
  controller: ['core', 'engine', 'store'],
  server: ['core', 'controller', 'store'],
  cli: ['core', 'drivers', 'driver-interface', 'store', 'engine', 'controller', 'server', 'lab'],
  lab: ['core'],
  web: [],
};

/** npm packages core may use: it is pure, no I/O. */
const CORE_PACKAGES = new Set(['zod', 'yaml']);

/** Layer of a repository-relative path, or undefined for files outside the layered tree. */
export function layerOf(path: string): Layer | undefined {
  const p = path.replace(/\\/g, '/');
  if (p.startsWith('web/')) return 'web';
  const m = /^src\/([^/]+)(\/.*)?$/.exec(p);
  if (!m) return undefined;
  const top = m[1] as string;
  if (top === 'drivers') {
    // Files directly under src/drivers/ are the driver interface; folders are concrete drivers.
    return (m[2] ?? '').split('/').length <= 2 ? 'driver-interface' : 'drivers';
  }
  return (ALLOWED as Record<string, unknown>)[top] ? (top as Layer) : undefined;
}

const IMPORT_RE =
  /(?:^|[\s;])(?:import|export)\s[^'"`]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;(])import\s*\(\s*['"]([^'"]+)['"]\s*\)|(?:^|[\s;])import\s+['"]([^'"]+)['"]/g;

function driverFolder(path: string): string | undefined {
  return /^src\/drivers\/([^/]+)\//.exec(path)?.[1];
}

export function checkFile(path: string, text: string): LayerViolation[] {
  const from = layerOf(path);
  if (!from) return [];
  const out: LayerViolation[] = [];
  for (const match of text.matchAll(IMPORT_RE)) {
    const specifier = (match[1] ?? match[2] ?? match[3]) as string;
    const line =
      text.slice(0, match.index).split('\n').length + (match[0].startsWith('\n') ? 1 : 0);
    const reason = judge(path, from, specifier);
    if (reason) out.push({ file: path, line, specifier, reason });
  }
  return out;
}

function judge(path: string, from: Layer, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) {
    if (from === 'core' && !CORE_PACKAGES.has(specifier.split('/')[0] as string)) {
      return `core is pure: it may import only ${[...CORE_PACKAGES].join(', ')}, not '${specifier}'`;
    }
    if (from === 'web' && !specifier.startsWith('@') && specifier.startsWith('node:')) {
      return `web runs in the browser: no '${specifier}'`;
    }
    return undefined;
  }
  const target = posix.normalize(posix.join(posix.dirname(path), specifier));
  const to = layerOf(target);
  if (from === 'web') {
    if (
      target.startsWith('web/') ||
      target === 'src/server/api-types' ||
      target.startsWith('src/server/api-types.')
    )
      return undefined;
    return `web may import only the API's types (src/server/api-types.ts), not '${specifier}'`;
  }
  if (!to) {
    return target.startsWith('src/') ? undefined : `'${specifier}' leaves src/`;
  }
  if (to === from) {
    if (from === 'drivers' && driverFolder(path) !== driverFolder(target)) {
      return `a driver imports only its own folder and the driver interface, not '${specifier}'`;
    }
    return undefined;
  }
  if (ALLOWED[from].includes(to)) return undefined;
  return `layer '${from}' may not import layer '${to}' ('${specifier}'); allowed: ${ALLOWED[from].join(', ') || 'none'}`;
}
