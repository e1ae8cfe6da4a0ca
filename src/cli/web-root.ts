// Where the built dashboard is: dist/web beside the bundle (dist/lifeboat.js, or a chunk of it
// in dist/chunks/), or dist/web of the source tree when running from src/ (tsx).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The first directory holding index.html, looked for from `moduleUrl` (import.meta.url). */
export function defaultWebRoot(moduleUrl: string): string | undefined {
  const here = dirname(fileURLToPath(moduleUrl));
  return [
    join(here, 'web'), // dist/lifeboat.js
    join(here, '..', 'web'), // dist/chunks/*.js
    join(here, '..', '..', '..', 'dist', 'web'), // src/cli/commands/*.ts
  ].find((d) => existsSync(join(d, 'index.html')));
}
