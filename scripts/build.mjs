// Bundles the CLI into dist/ so that ./bin/lifeboat starts in plain Node (Node 20 cannot strip types).
// Then the dashboard (web/ → dist/web/) when Vite is installed (a dev checkout; not an install
// without devDependencies) and LIFEBOAT_SKIP_WEB is not set.
import { existsSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

// Chunks are named by their hash: the ones of an earlier build would stay behind.
rmSync('dist/chunks', { recursive: true, force: true });
// Split: the modules a command imports lazily (src/cli/main.ts) are chunks of their own, so
// that `lifeboat check` does not load the drivers' packages.
await build({
  entryPoints: { lifeboat: 'src/cli/main.ts' },
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
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
