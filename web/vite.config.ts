// The dashboard's build: web/ → dist/web/ (served by `lifeboat serve` at `/`).
// `npm run build:web`, or as part of `npm run build` (scripts/build.mjs).
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    // The chart chunk (ECharts) is loaded only on a service page; the main bundle stays small.
    chunkSizeWarningLimit: 700,
  },
  server: {
    // `npx vite --config web/vite.config.ts` against a running `lifeboat serve` (default :8480).
    proxy: { '/api': { target: 'http://127.0.0.1:8480', changeOrigin: false } },
  },
});
