// The built dashboard (dist/web) served at `/`: its files and index.html for client routes are
// open (they hold no data: the API behind them asks for a session), with a strict CSP; API
// paths never fall back to index.html.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../../src/server/index.js';
import { type Harness, harness } from './helpers.js';

const web = mkdtempSync(join(tmpdir(), 'lifeboat-web-'));
mkdirSync(join(web, 'assets'));
writeFileSync(
  join(web, 'index.html'),
  '<!doctype html><title>Lifeboat</title><script type="module" src="/assets/app.js"></script>',
);
writeFileSync(join(web, 'assets', 'app.js'), 'console.log(1);');
afterAll(() => rmSync(web, { recursive: true, force: true }));

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('the dashboard', () => {
  it('serves its files and index.html for client routes, with a strict CSP', async () => {
    h = await harness({ webRoot: web });
    for (const [url, type] of [
      ['/', 'text/html'],
      ['/assets/app.js', 'javascript'],
      ['/services/app-db', 'text/html'],
      ['/runs/run-1', 'text/html'],
    ] as const) {
      const r = await h.app.inject({ url });
      expect(r.statusCode, url).toBe(200);
      expect(String(r.headers['content-type']), url).toContain(type);
      expect(r.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
      expect(r.headers['x-frame-options']).toBe('DENY');
    }
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-inline');
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
    // A missing asset is a 404, not the page; API paths stay the API's.
    expect((await h.app.inject({ url: '/assets/missing.js' })).statusCode).toBe(404);
    expect((await h.app.inject({ url: '/api/v1/nope' })).statusCode).toBe(401);
    expect((await h.app.inject({ url: '/api/v1/services' })).statusCode).toBe(401);
  });

  it('is not served when there is no build: page paths are 404', async () => {
    h = await harness({ webRoot: join(web, 'missing') });
    expect((await h.app.inject({ url: '/' })).statusCode).toBe(404);
  });
});
