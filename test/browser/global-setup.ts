// Builds the dashboard (dist/web/) before the browser tests, so that they test this checkout's
// web/ and not a stale build. LIFEBOAT_WEB_PREBUILT=1 skips it (CI that built it already).
import { existsSync } from 'node:fs';
import { build } from 'vite';

export default async function globalSetup(): Promise<void> {
  if (process.env.LIFEBOAT_WEB_PREBUILT && existsSync('dist/web/index.html')) return;
  await build({ configFile: 'web/vite.config.ts', logLevel: 'warn' });
}
