// Bundles the CLI into dist/ so that ./bin/lifeboat starts in plain Node (Node 20 cannot strip types).
// Then the dashboard (web/ → dist/web/) when Vite is installed (a dev checkout; not an install
// without devDependencies) and LIFEBOAT_SKIP_WEB is not set.
import { existsSync } from 'node:fs';
import { build } from 'esbuild';

await build({
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/lifeboat.js',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});

if (!process.env.LIFEBOAT_SKIP_WEB && existsSync('web/vite.config.ts')) {
  let vite;
  try {
    vite = await import('vite');
  } catch {
    process.stderr.write('build: vite is not installed, the dashboard (dist/web/) is not built\n');
  }
  if (vite) await vite.build({ configFile: 'web/vite.config.ts', logLevel: 'warn' });
}
